import type { AppContext } from '../../context.js';
import { AppError, invalidRequest } from '../../lib/errors.js';
import { recordEvent } from '../webhooks/outbox.js';
import { programToFields } from './program.fields.js';
import { findProgram, markProgramCanceled, updateProgramIfUnchanged, type ProgramRow } from './program.repository.js';
import type { PatchProgramBody } from './program.schemas.js';
import { programStatus } from './program.status.js';
import { validateProgramFields } from './program.validation.js';
import { assertExtensionOnly, changedColumns } from './program-update.rules.js';
import { resolveLegacyAliases } from './program.aliases.js';
import { programToWire, type ProgramView } from './program.view.js';

const IMMUTABLE = ['code_scheme', 'currency_code', 'code_format'] as const;
const MAX_ATTEMPTS = 5;

/**
 * PATCH voucher program (docs/programs.md). The patch is merged over the stored program and the whole is
 * checked with the create rules; after start only extensions pass. The write is optimistic (it
 * applies only to the version read) and commits with its `voucher_program_updated` event.
 */
export async function patchProgram(
  ctx: AppContext,
  input: { organizationId: string; programId: string; body: PatchProgramBody },
): Promise<ProgramView> {
  const body = resolveLegacyAliases(input.body);
  for (const field of IMMUTABLE) if (body[field] !== undefined) throw invalidRequest('field_immutable', { field }, field);
  if (Object.keys(body).length === 0) throw invalidRequest('patch_empty');

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const result = await ctx.database.db.transaction().execute(async (trx) => {
      const program = await findProgram(trx, input.organizationId, input.programId);
      if (!program) throw new AppError('not_found', 'program_not_found');
      const now = ctx.clock.now();
      const status = programStatus(program, now);
      if (status === 'CANCELED') throw new AppError('invalid_request', 'program_canceled');
      if (status === 'COMPLETE') throw new AppError('invalid_request', 'program_complete');
      const merged = { ...programToFields(program), ...(body as Record<string, unknown>) } as ReturnType<typeof programToFields>;
      const next = validateProgramFields(merged, now, { checkStartWindow: status === 'UPCOMING' && body.starts_at !== undefined });
      if (status === 'ACTIVE') assertExtensionOnly(program, body, next);
      const changes = changedColumns(program, next);
      if (Object.keys(changes).length === 0) return program;
      const updatedAt = Math.max(now, Number(program.updated_at) + 1);
      if (!(await updateProgramIfUnchanged(trx, program, { ...changes, updated_at: updatedAt }))) return undefined;
      await recordEvent(ctx, trx, {
        eventType: 'voucher_program_updated',
        organizationId: program.organization_id,
        voucherProgramId: program.id,
        data: { changed_fields: Object.keys(changes).sort() },
      });
      return { ...program, ...changes, updated_at: updatedAt } as ProgramRow;
    });
    if (result) return programToWire(result, ctx.clock.now());
  }
  // Changed under us every time: say so rather than overwrite someone's edit.
  throw new AppError('invalid_request', 'invalid_request');
}

/**
 * Cancel voucher program (docs/programs.md): 204 and idempotent. The first cancel sets `canceled_at` and
 * records `voucher_program_updated` in its transaction; later ones change nothing. Codes stop
 * being claimable at once because claiming checks the program's status.
 */
export async function cancelProgram(ctx: AppContext, input: { organizationId: string; programId: string }): Promise<void> {
  await ctx.database.db.transaction().execute(async (trx) => {
    const program = await findProgram(trx, input.organizationId, input.programId);
    if (!program) throw new AppError('not_found', 'program_not_found');
    const now = ctx.clock.now();
    if (!(await markProgramCanceled(trx, input.organizationId, input.programId, now))) return;
    await recordEvent(ctx, trx, {
      eventType: 'voucher_program_updated',
      organizationId: program.organization_id,
      voucherProgramId: program.id,
      data: { status: 'CANCELED', canceled_at: now },
    });
  });
}
