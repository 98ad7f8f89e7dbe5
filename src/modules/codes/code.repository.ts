import type BetterSqlite3 from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import type { DB } from '../../db/schema.js';

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

const sqliteStatements = new WeakMap<BetterSqlite3.Database, BetterSqlite3.Statement>();

/**
 * Inserts a batch set-based (architecture.md, Data rules): one prepared statement in the caller's
 * transaction on SQLite, one `unnest` statement on PostgreSQL. A code that already exists anywhere
 * is skipped, not an error; the caller tops up the shortfall. Returns how many rows were inserted.
 */
export async function insertCodeBatch(database: Database, trx: Kysely<DB>, batch: CodeBatchRows): Promise<number> {
  if (batch.codes.length === 0) return 0;
  if (database.sqlite) {
    let statement = sqliteStatements.get(database.sqlite);
    if (!statement) {
      statement = database.sqlite.prepare(INSERT_SQL);
      sqliteStatements.set(database.sqlite, statement);
    }
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
    return inserted;
  }
  const result = await sql`
    insert into voucher_codes (id, program_id, organization_id, generation_id, code_text, max_num_redemptions, created_at)
    select id, ${batch.programId}, ${batch.organizationId}, ${batch.generationId}, code_text, ${batch.maxRedemptions}::int, ${batch.createdAt}::bigint
    from unnest(${batch.ids}::text[], ${batch.codes}::text[]) as t(id, code_text)
    on conflict (code_text) do nothing`.execute(trx);
  return Number(result.numAffectedRows ?? 0n);
}

export async function countProgramCodes(db: Kysely<DB>, programId: string): Promise<number> {
  const row = await db
    .selectFrom('voucher_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('program_id', '=', programId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** One keyset page of a program's codes, in id order (ids are time-ordered UUIDv7). */
export async function listCodePage(
  db: Kysely<DB>,
  input: { organizationId: string; programId: string; afterId?: string; limit: number },
) {
  let query = db
    .selectFrom('voucher_codes')
    .select([
      'id',
      'code_text',
      'max_num_redemptions',
      'redemption_count',
      'usage_count',
      'usage_amount',
      'canceled_at',
      'created_at',
      'generation_id',
    ])
    .where('organization_id', '=', input.organizationId)
    .where('program_id', '=', input.programId);
  if (input.afterId !== undefined) query = query.where('id', '>', input.afterId);
  return query.orderBy('id').limit(input.limit).execute();
}

export type CodeListRow = Awaited<ReturnType<typeof listCodePage>>[number];
