import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

/** Failed claims per bucket key since `cutoff` (exclusive). */
export async function countFailuresSince(db: Kysely<DB>, bucketKeys: string[], cutoff: number): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('claim_failures')
    .select(['bucket', sql<number>`count(*)`.as('n')])
    .where('bucket', 'in', bucketKeys)
    .where('created_at', '>', cutoff)
    .groupBy('bucket')
    .execute();
  return new Map(rows.map((r) => [r.bucket, Number(r.n)]));
}

/** The time of the failure at position `offset` (oldest first) of one bucket since `since` (exclusive). */
export async function failureTimeAt(db: Kysely<DB>, bucketKey: string, since: number, offset: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('claim_failures')
    .select('created_at')
    .where('bucket', '=', bucketKey)
    .where('created_at', '>', since)
    .orderBy('created_at')
    .limit(1)
    .offset(offset)
    .executeTakeFirst();
  return row ? Number(row.created_at) : undefined;
}

/** PostgreSQL: serializes the failures of one bucket across every connection until the transaction ends. */
export async function lockFailureBucket(trx: Kysely<DB>, bucketKey: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${bucketKey}, 0))`.execute(trx);
}

export async function insertFailures(db: Kysely<DB>, rows: { id: string; bucket: string; created_at: number }[]): Promise<void> {
  await db.insertInto('claim_failures').values(rows).execute();
}

/** Drops failures at or before `cutoff`: of these buckets, or of every bucket when none is given. */
export async function deleteFailuresUpTo(db: Kysely<DB>, cutoff: number, bucketKeys?: string[]): Promise<void> {
  let query = db.deleteFrom('claim_failures').where('created_at', '<=', cutoff);
  if (bucketKeys) query = query.where('bucket', 'in', bucketKeys);
  await query.execute();
}
