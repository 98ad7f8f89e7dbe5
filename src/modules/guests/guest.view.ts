import { codeStatus, redemptionLink } from '../codes/code.view.js';
import type { GuestListRow } from './guest.repository.js';

/** A guest as Get Voucher Program Guest Info shows it (Uber's names; `distributed_at` is ours, X). */
export function guestToWire(row: GuestListRow, publicUrl: string, singleCode?: { id: string; code_text: string }) {
  const code =
    row.code_id !== null && row.code_text !== null
      ? {
          code_id: row.code_id,
          code_text: row.code_text,
          redemption_link: redemptionLink(publicUrl, row.code_text),
          status: codeStatus({
            canceled_at: row.canceled_at,
            redemption_count: Number(row.redemption_count),
            max_num_redemptions: Number(row.max_num_redemptions),
          }),
          usage_count: Number(row.usage_count ?? 0),
        }
      : singleCode
        ? { code_id: singleCode.id, code_text: singleCode.code_text, redemption_link: redemptionLink(publicUrl, singleCode.code_text) }
        : undefined;
  return {
    ...(row.email !== null ? { email: row.email } : {}),
    ...(row.phone !== null ? { phone: row.phone } : {}),
    ...(code ? { code } : {}),
    created_at: Number(row.created_at),
    ...(row.distributed_at !== null ? { distributed_at: Number(row.distributed_at) } : {}),
  };
}
