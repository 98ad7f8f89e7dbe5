import type { AppContext } from '../../context.js';
import type { UnitOfWork } from '../../db/unit-of-work.js';
import { AppError } from '../../lib/errors.js';
import { findProgram } from '../programs/program.repository.js';
import { recordEvent } from '../webhooks/outbox.js';
import { cancelLiveCodes, codeStates } from './code-cancel.repository.js';
import { assertNoGenerationRunning } from './generation.guard.js';

export type CancelFailureReason = 'not_found' | 'already_canceled' | 'already_redeemed';

export interface CancelCodesResult {
  cancelCodeFailures: { code_uuid: string; reason: CancelFailureReason }[];
}

/**
 * Cancel Voucher Codes (docs/programs.md): 200 with a failure per code that was not canceled, Uber's
 * `cancelCodeFailures` spelling. One conditional UPDATE decides (a racing claim either wins before
 * it, then the code is `already_redeemed`, or finds it canceled); one SELECT explains the rest.
 * A code of another program or organization is `not_found`.
 */
export async function cancelCodes(
  ctx: AppContext,
  input: { organizationId: string; programId: string; codes: string[] },
  work: UnitOfWork<CancelCodesResult>,
): Promise<CancelCodesResult> {
  const ids = [...new Set(input.codes)];
  return work.transaction(async (trx) => {
    const program = await findProgram(trx, input.organizationId, input.programId);
    if (!program) throw new AppError('not_found', 'program_not_found');
    await assertNoGenerationRunning(ctx, trx, program.id);
    const now = ctx.clock.now();
    const scope = { organizationId: program.organization_id, programId: program.id };
    const canceled = new Set(await cancelLiveCodes(trx, ctx.database.dialect, { ...scope, ids, now }));
    const rest = ids.filter((id) => !canceled.has(id));
    const states = new Map((await codeStates(trx, ctx.database.dialect, { ...scope, ids: rest })).map((row) => [row.id, row]));
    if (canceled.size > 0) {
      await recordEvent(ctx, trx, {
        eventType: 'voucher_program_updated',
        organizationId: program.organization_id,
        voucherProgramId: program.id,
        data: { number_of_codes_canceled: canceled.size },
      });
    }
    return {
      cancelCodeFailures: rest.map((id) => {
        const state = states.get(id);
        const reason: CancelFailureReason = !state ? 'not_found' : state.canceled_at !== null ? 'already_canceled' : 'already_redeemed';
        return { code_uuid: id, reason };
      }),
    };
  });
}
