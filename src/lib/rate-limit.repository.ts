import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

export interface RateLimitResult {
  /** Hits in the current window, including this one when counted. */
  count: number;
  /** Seconds until the window resets (for Retry-After, RFC 9110 §10.2.3). */
  retryAfterSeconds: number;
}

function windowOf(now: number, windowMs: number): { start: number; retryAfterSeconds: number } {
  const start = Math.floor(now / windowMs) * windowMs;
  return { start, retryAfterSeconds: Math.max(1, Math.ceil((start + windowMs - now) / 1000)) };
}

/** The counter row of one bucket's window (its primary key). */
function counterOf(bucket: string, windowStart: number) {
  return (eb: ExpressionBuilder<DB, 'rate_limit_counters'>) => eb.and([eb('bucket', '=', bucket), eb('window_start', '=', windowStart)]);
}

/**
 * Counts one hit in a fixed window, atomically in the database (one upsert), so the limit holds
 * across every server process sharing the database (docs/compatibility.md rate limits).
 */
export async function hitRateLimit(db: Kysely<DB>, bucket: string, now: number, windowMs: number): Promise<RateLimitResult> {
  const { start, retryAfterSeconds } = windowOf(now, windowMs);
  const row = await db
    .insertInto('rate_limit_counters')
    .values({ bucket, window_start: start, count: 1 })
    .onConflict((oc) => oc.columns(['bucket', 'window_start']).doUpdateSet({ count: sql<number>`${sql.ref('rate_limit_counters.count')} + 1` }))
    .returning('count')
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), retryAfterSeconds };
}

/** Hits so far in the current window, without counting one. */
export async function peekRateLimit(db: Kysely<DB>, bucket: string, now: number, windowMs: number): Promise<RateLimitResult> {
  const { start, retryAfterSeconds } = windowOf(now, windowMs);
  const row = await db.selectFrom('rate_limit_counters').select('count').where(counterOf(bucket, start)).executeTakeFirst();
  return { count: Number(row?.count ?? 0), retryAfterSeconds };
}

export interface RateLimitSlot {
  /** True when a slot was taken (the count was below the limit and now includes this hit). */
  taken: boolean;
  /** The window the slot belongs to (give it back to refundRateLimitSlot). */
  windowStart: number;
  retryAfterSeconds: number;
}

/**
 * Takes one slot of a fixed-window limit, increment-then-check in ONE statement: the upsert only
 * increments while the count is below `limit`, so parallel requests (in any number of processes)
 * can never take more than `limit` slots in a window. No row back means the limit is reached.
 */
export async function takeRateLimitSlot(db: Kysely<DB>, bucket: string, now: number, windowMs: number, limit: number): Promise<RateLimitSlot> {
  const { start, retryAfterSeconds } = windowOf(now, windowMs);
  const row = await db
    .insertInto('rate_limit_counters')
    .values({ bucket, window_start: start, count: 1 })
    .onConflict((oc) =>
      oc
        .columns(['bucket', 'window_start'])
        .doUpdateSet({ count: sql<number>`${sql.ref('rate_limit_counters.count')} + 1` })
        .where(sql.ref('rate_limit_counters.count'), '<', limit),
    )
    .returning('count')
    .executeTakeFirst();
  return { taken: row !== undefined && Number(row.count) <= limit, windowStart: start, retryAfterSeconds };
}

/**
 * Takes `n` slots of a fixed-window limit at once, in ONE statement (the upsert adds `n` only while
 * the sum stays within `limit`), so parallel callers in any number of processes never take more
 * than `limit` in a window. Run inside the caller's transaction, a rollback gives the slots back.
 */
export async function takeRateLimitSlots(db: Kysely<DB>, bucket: string, now: number, windowMs: number, limit: number, n: number): Promise<RateLimitSlot> {
  const { start, retryAfterSeconds } = windowOf(now, windowMs);
  if (n > limit) return { taken: false, windowStart: start, retryAfterSeconds };
  const row = await db
    .insertInto('rate_limit_counters')
    .values({ bucket, window_start: start, count: n })
    .onConflict((oc) =>
      oc
        .columns(['bucket', 'window_start'])
        .doUpdateSet({ count: sql<number>`${sql.ref('rate_limit_counters.count')} + ${n}` })
        .where(sql<number>`${sql.ref('rate_limit_counters.count')} + ${n}`, '<=', limit),
    )
    .returning('count')
    .executeTakeFirst();
  return { taken: row !== undefined && Number(row.count) <= limit, windowStart: start, retryAfterSeconds };
}

/** Gives a slot taken by takeRateLimitSlot back (an attempt that turned out not to count). */
export async function refundRateLimitSlot(db: Kysely<DB>, bucket: string, windowStart: number): Promise<void> {
  await db
    .updateTable('rate_limit_counters')
    .set({ count: sql<number>`${sql.ref('count')} - 1` })
    .where(counterOf(bucket, windowStart))
    .where('count', '>', 0)
    .execute();
}

/** Drops the windows that started before `cutoff` (the OAuth cleanup worker); returns how many. */
export async function deleteRateLimitWindowsBefore(db: Kysely<DB>, cutoff: number): Promise<number> {
  return Number((await db.deleteFrom('rate_limit_counters').where('window_start', '<', cutoff).executeTakeFirst()).numDeletedRows);
}
