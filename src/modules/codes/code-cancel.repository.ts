import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { Dialect } from '../../db/database.js';
import type { DB } from '../../db/schema.js';

/**
 * `id IN (…)` for up to 10,000 ids: one array parameter on PostgreSQL (`= any($1::text[])`, no
 * 10,000-parameter statement to parse), a plain list on SQLite (well under its variable limit).
 */
function idIn(dialect: Dialect, ids: string[]) {
  return (eb: ExpressionBuilder<DB, 'voucher_codes'>) =>
    dialect === 'postgres' ? eb(eb.ref('id'), '=', sql<string>`any(${ids}::text[])`) : eb('id', 'in', ids);
}

/**
 * Cancels the listed codes of one program in a single conditional UPDATE (docs/architecture.md: set-based;
 * docs/programs.md). Only live codes change: not already canceled, not used up. Returns the ids it canceled.
 */
export async function cancelLiveCodes(
  db: Kysely<DB>,
  dialect: Dialect,
  input: { organizationId: string; programId: string; ids: string[]; now: number },
): Promise<string[]> {
  if (input.ids.length === 0) return [];
  const rows = await db
    .updateTable('voucher_codes')
    .set({ canceled_at: input.now })
    .where('organization_id', '=', input.organizationId)
    .where('program_id', '=', input.programId)
    .where(idIn(dialect, input.ids))
    .where('canceled_at', 'is', null)
    .whereRef('redemption_count', '<', 'max_num_redemptions')
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** The state of the listed codes of one program (to explain why they were not canceled). */
export async function codeStates(
  db: Kysely<DB>,
  dialect: Dialect,
  input: { organizationId: string; programId: string; ids: string[] },
): Promise<{ id: string; canceled_at: number | null }[]> {
  if (input.ids.length === 0) return [];
  return db
    .selectFrom('voucher_codes')
    .select(['id', 'canceled_at'])
    .where('organization_id', '=', input.organizationId)
    .where('program_id', '=', input.programId)
    .where(idIn(dialect, input.ids))
    .execute();
}
