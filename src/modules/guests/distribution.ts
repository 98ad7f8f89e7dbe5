import type { Kysely } from 'kysely';
import type { AppContext } from '../../context.js';
import type { DB } from '../../db/schema.js';
import { codeTextsByIds, findFirstCode } from '../codes/code.repository.js';
import { redemptionLink } from '../codes/code.view.js';
import type { ProgramRow } from '../programs/program.repository.js';
import { recordEvent } from '../webhooks/outbox.js';
import { markGuestsDistributed } from './guest.repository.js';
import type { GuestNotification } from './notifier.js';

export type PendingDelivery = GuestNotification;

/**
 * Marks guests' codes distributed and records one `voucher_program_code_distributed` event, both
 * in the caller's transaction (docs/programs.md). Returns the messages to hand to the notifier once
 * the transaction has committed. A guest with an email is written to by email, else by SMS.
 */
export async function distributeInTransaction(
  ctx: AppContext,
  trx: Kysely<DB>,
  program: ProgramRow,
  filter: { codeIds?: string[]; guestIds?: string[] },
): Promise<PendingDelivery[]> {
  const multi = program.code_scheme === 'MULTI_CODE_SINGLE_REDEEM';
  let singleCode: { id: string; code_text: string } | undefined;
  if (!multi) {
    singleCode = await findFirstCode(trx, program.id);
    if (!singleCode) return [];
    if (filter.codeIds && !filter.codeIds.includes(singleCode.id)) return [];
  }
  const guests = await markGuestsDistributed(trx, {
    organizationId: program.organization_id,
    programId: program.id,
    now: ctx.clock.now(),
    multiCode: multi,
    ...(filter.codeIds && multi ? { codeIds: filter.codeIds } : {}),
    ...(filter.guestIds ? { guestIds: filter.guestIds } : {}),
  });
  if (guests.length === 0) return [];
  const codeTexts = multi ? await codeTextsByIds(trx, guests.map((g) => g.code_id!)) : new Map<string, string>();
  const codeIds = multi ? guests.map((g) => g.code_id!) : [singleCode!.id];
  await recordEvent(ctx, trx, {
    eventType: 'voucher_program_code_distributed',
    organizationId: program.organization_id,
    voucherProgramId: program.id,
    data: { number_of_codes_distributed: guests.length, code_ids: codeIds.slice(0, 1000) },
  });
  return guests.map((guest) => {
    const codeText = multi ? codeTexts.get(guest.code_id!)! : singleCode!.code_text;
    return {
      channel: guest.email !== null ? ('email' as const) : ('sms' as const),
      to: (guest.email ?? guest.phone)!,
      voucherProgramId: program.id,
      programName: program.name,
      codeText,
      redemptionLink: redemptionLink(ctx.config.publicUrl, codeText),
    };
  });
}
