import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

/**
 * Cancels the listed codes of one program in a single conditional UPDATE (architecture.md: set-based;
 * api.md §6). Only live codes change: not already canceled, not used up. Returns the ids it canceled.
 */
export async function cancelLiveCodes(
  db: Kysely<DB>,
  input: { organizationId: string; programId: string; ids: string[]; now: number },
): Promise<string[]> {
  if (input.ids.length === 0) return [];
  const rows = await db
    .updateTable('voucher_codes')
    .set({ canceled_at: input.now })
    .where('organization_id', '=', input.organizationId)
    .where('program_id', '=', input.programId)
    .where('id', 'in', input.ids)
    .where('canceled_at', 'is', null)
    .whereRef('redemption_count', '<', 'max_num_redemptions')
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** The state of the listed codes of one program (to explain why they were not canceled). */
export async function codeStates(
  db: Kysely<DB>,
  input: { organizationId: string; programId: string; ids: string[] },
): Promise<{ id: string; canceled_at: number | null }[]> {
  if (input.ids.length === 0) return [];
  return db
    .selectFrom('voucher_codes')
    .select(['id', 'canceled_at'])
    .where('organization_id', '=', input.organizationId)
    .where('program_id', '=', input.programId)
    .where('id', 'in', input.ids)
    .execute();
}
