import { sql, type Kysely, type RawBuilder } from 'kysely';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { isUniqueViolation, type Database } from '../../db/database.js';
import { keysetPage, type KeysetPage } from '../../db/keyset-page.js';
import type { DB } from '../../db/schema.js';
import { dialectOf, sqliteStatementIn } from '../../db/unit-of-work.js';

export interface CodeBatchRows {
  ids: string[];
  codes: string[];
  programId: string;
  organizationId: string;
  generationId: string;
  maxRedemptions: number;
  createdAt: number;
}

const INSERT_SQL =
  'insert into voucher_codes (id, program_id, organization_id, generation_id, code_text, max_num_redemptions, created_at) ' +
  'values (?, ?, ?, ?, ?, ?, ?) on conflict (code_text) do nothing';

/**
 * Inserts a batch set-based (docs/architecture.md, Data rules) in `trx`, a unit of work's transaction
 * (src/db/unit-of-work.ts): one prepared statement run per row inside it on SQLite, one `unnest`
 * statement on PostgreSQL. A code that already exists anywhere
 * is skipped, not an error; the caller tops up the shortfall. Returns how many rows were inserted.
 * `whileInserting` runs once the statement is on its way to PostgreSQL (on SQLite, which works in
 * this thread, after it).
 */
export async function insertCodeBatch(trx: Kysely<DB>, batch: CodeBatchRows, whileInserting?: () => void): Promise<number> {
  if (batch.codes.length === 0) {
    whileInserting?.();
    return 0;
  }
  if (dialectOf(trx) === 'sqlite') {
    const statement = sqliteStatementIn(trx, INSERT_SQL);
    let inserted = 0;
    for (let i = 0; i < batch.codes.length; i++) {
      inserted += statement.run(
        batch.ids[i],
        batch.programId,
        batch.organizationId,
        batch.generationId,
        batch.codes[i],
        batch.maxRedemptions,
        batch.createdAt,
      ).changes;
    }
    whileInserting?.();
    return inserted;
  }
  // Fast path: a plain insert. `ON CONFLICT DO NOTHING` makes every row a speculative insertion
  // (an extra index probe and WAL record per row: measured 35% slower for 20,000-code chunks), and
  // a collision with an existing code is rare (n·live/31¹² per batch), so try without it inside a
  // savepoint and only redo the batch with it when the unique code index refuses one.
  await sql`savepoint code_batch`.execute(trx);
  try {
    const insert = insertUnnest(trx, batch, sql``);
    if (whileInserting) {
      insert.catch(() => undefined); // awaited below; only keeps a failure meanwhile from counting as unhandled
      await nextTurn(); // the driver has written the statement by then
      whileInserting();
    }
    const result = await insert;
    await sql`release savepoint code_batch`.execute(trx);
    return Number(result.numAffectedRows ?? 0n);
  } catch (err) {
    if (!isDuplicateCode(err)) throw err;
    await sql`rollback to savepoint code_batch`.execute(trx);
  }
  const result = await insertUnnest(trx, batch, sql`on conflict (code_text) do nothing`);
  return Number(result.numAffectedRows ?? 0n);
}

/**
 * Ids and codes travel as two comma-joined text parameters split by the database: both are made of
 * [0-9A-Za-z-] only, and this skips the driver's per-element array escaping (bench G2 profile).
 */
function insertUnnest(trx: Kysely<DB>, batch: CodeBatchRows, onConflict: RawBuilder<unknown>) {
  return sql`
    insert into voucher_codes (id, program_id, organization_id, generation_id, code_text, max_num_redemptions, created_at)
    select id, ${batch.programId}, ${batch.organizationId}, ${batch.generationId}, code_text, ${batch.maxRedemptions}::int, ${batch.createdAt}::bigint
    from unnest(string_to_array(${batch.ids.join(',')}::text, ','), string_to_array(${batch.codes.join(',')}::text, ',')) as t(id, code_text)
    ${onConflict}`.execute(trx);
}

/** A unique violation on the code index (any other error, another constraint included, is not a collision). */
function isDuplicateCode(err: unknown): boolean {
  const constraint = (err as { constraint?: unknown }).constraint;
  return isUniqueViolation(err) && typeof constraint === 'string' && constraint.includes('code_text');
}

/** Filters of Get Voucher Codes (X, docs/programs.md): each optional, all applied together. */
export interface CodeFilter {
  status?: 'AVAILABLE' | 'REDEEMED' | 'CANCELED';
  generationId?: string;
  /** Normalized code text: codes are stored upper case and unique across the service. */
  codeText?: string;
}

/**
 * What a code shows wherever it is listed (its own listing, a guest's): its text, the columns its
 * status derives from (code.view.ts `codeStatus`) and its use count.
 */
export const CODE_SUMMARY_COLUMNS = ['code_text', 'canceled_at', 'redemption_count', 'max_num_redemptions', 'usage_count'] as const;
export type CodeSummaryColumn = (typeof CODE_SUMMARY_COLUMNS)[number];

/**
 * One keyset page of a program's codes, in id order (ids are time-ordered UUIDv7). The status test
 * is the one code.view.ts `codeStatus` applies; CANCELED and a generation have their own indexes
 * (0019_code_filter_indexes), a code text the unique one.
 */
export async function listCodePage(
  db: Kysely<DB>,
  input: { organizationId: string; programId: string; filter?: CodeFilter } & KeysetPage,
) {
  let query = db
    .selectFrom('voucher_codes')
    .select(['id', ...CODE_SUMMARY_COLUMNS, 'usage_amount', 'created_at', 'generation_id'])
    .where('organization_id', '=', input.organizationId)
    .where('program_id', '=', input.programId);
  const filter = input.filter ?? {};
  if (filter.status === 'CANCELED') query = query.where('canceled_at', 'is not', null);
  if (filter.status === 'REDEEMED') query = query.where('canceled_at', 'is', null).whereRef('redemption_count', '>=', 'max_num_redemptions');
  if (filter.status === 'AVAILABLE') query = query.where('canceled_at', 'is', null).whereRef('redemption_count', '<', 'max_num_redemptions');
  if (filter.generationId !== undefined) query = query.where('generation_id', '=', filter.generationId);
  if (filter.codeText !== undefined) query = query.where('code_text', '=', filter.codeText);
  return keysetPage(query, 'id', input).execute();
}

export type CodeListRow = Awaited<ReturnType<typeof listCodePage>>[number];

/** The program's first code in creation order (ids are time-ordered), for the create answer. */
export async function firstProgramCode(db: Kysely<DB>, programId: string): Promise<string> {
  const row = await db.selectFrom('voucher_codes').select('code_text').where('program_id', '=', programId).orderBy('id').limit(1).executeTakeFirstOrThrow();
  return row.code_text;
}

/** The first code of a program (its one code under SINGLE_CODE_MULTI_REDEEM), with its id. */
export async function findFirstCode(db: Kysely<DB>, programId: string): Promise<{ id: string; code_text: string } | undefined> {
  return db.selectFrom('voucher_codes').select(['id', 'code_text']).where('program_id', '=', programId).orderBy('id').executeTakeFirst();
}

/** The text of each code by id, read 1,000 ids a statement. */
export async function codeTextsByIds(db: Kysely<DB>, ids: string[]): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = await db.selectFrom('voucher_codes').select(['id', 'code_text']).where('id', 'in', ids.slice(i, i + 1000)).execute();
    for (const row of rows) texts.set(row.id, row.code_text);
  }
  return texts;
}

/**
 * PostgreSQL, inside a transaction: sorting is off until it ends, so the planner walks the
 * (program_id, id) index in order (measured in bench/README.md; used by code-listing.ts).
 */
export async function disableSortForTransaction(trx: Kysely<DB>): Promise<void> {
  await sql`set local enable_sort = off`.execute(trx);
}
