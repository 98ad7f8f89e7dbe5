import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

export interface BucketTotals {
  claims: number;
  trips: number;
  covered: number;
}

/**
 * Claims (vouchers created), counted trips and covered amounts of one program per bucket, summed
 * in SQL: the buckets are a VALUES list joined by time range, so each is one range scan of the
 * (program_id, created_at) indexes, on SQLite and PostgreSQL alike. Buckets with nothing are absent.
 */
export async function activityTotals(db: Kysely<DB>, programId: string, buckets: { start: number; end: number }[]): Promise<Map<number, BucketTotals>> {
  const totals = new Map<number, BucketTotals>();
  if (buckets.length === 0) return totals;
  const values = sql.join(buckets.map((b, i) => sql`(${i}, ${b.start}, ${b.end})`));
  // PostgreSQL types VALUES parameters as text unless told; the casts are harmless on SQLite.
  const claims = await sql<{ i: number; n: number | string }>`
    with b(i, s, e) as (values ${values})
    select cast(b.i as integer) as i, count(*) as n
    from b join vouchers v on v.program_id = ${programId} and v.created_at >= cast(b.s as bigint) and v.created_at < cast(b.e as bigint)
    group by b.i`.execute(db);
  const trips = await sql<{ i: number; trips: number | string | null; covered: number | string | null }>`
    with b(i, s, e) as (values ${values})
    select cast(b.i as integer) as i, sum(t.counted) as trips, sum(t.covered_amount) as covered
    from b join voucher_trips t on t.program_id = ${programId} and t.created_at >= cast(b.s as bigint) and t.created_at < cast(b.e as bigint)
    group by b.i`.execute(db);
  const at = (i: number) => {
    const start = buckets[Number(i)]!.start;
    let row = totals.get(start);
    if (!row) totals.set(start, (row = { claims: 0, trips: 0, covered: 0 }));
    return row;
  };
  for (const r of claims.rows) at(r.i).claims = Number(r.n);
  for (const r of trips.rows) {
    const row = at(r.i);
    row.trips = Number(r.trips ?? 0);
    row.covered = Number(r.covered ?? 0);
  }
  return totals;
}
