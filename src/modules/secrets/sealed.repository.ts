import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

/** The columns that hold sealed values (docs/secrets.md), with the purpose each is sealed under. */
export const SEALED_COLUMNS = [
  { table: 'webhook_endpoints', column: 'signing_key', purpose: 'webhook_endpoints.signing_key' },
  { table: 'webhook_endpoints', column: 'previous_signing_key', purpose: 'webhook_endpoints.signing_key' },
  { table: 'idempotency_keys', column: 'response_body', purpose: 'idempotency_keys.response_body' },
] as const;

export type SealedColumn = (typeof SEALED_COLUMNS)[number];

/**
 * One page of non-null values of a sealed column, by id after `afterId`; with `exceptPrefix`, only
 * values not starting with it (compared exactly, on both engines), so a start-up pass over legacy
 * plaintext reads no already-sealed row.
 */
export async function sealedValuesPage(
  db: Kysely<DB>,
  target: SealedColumn,
  afterId: string,
  limit: number,
  exceptPrefix?: string,
): Promise<{ id: string; value: string }[]> {
  let query = db
    .selectFrom(target.table)
    .select(['id', `${target.column} as value`] as never)
    .where(target.column as never, 'is not', null)
    .where('id', '>', afterId);
  if (exceptPrefix) query = query.where(sql<boolean>`substr(${sql.ref(target.column)}, 1, ${exceptPrefix.length}) <> ${exceptPrefix}`);
  const rows = await query.orderBy('id').limit(limit).execute();
  return rows as unknown as { id: string; value: string }[];
}

/** Replaces one value if it is still the one read (a concurrent rotation or write wins). */
export async function replaceSealedValue(db: Kysely<DB>, target: SealedColumn, id: string, expected: string, next: string): Promise<boolean> {
  const result = await db
    .updateTable(target.table)
    .set({ [target.column]: next } as never)
    .where('id', '=', id)
    .where(target.column as never, '=', expected as never)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
