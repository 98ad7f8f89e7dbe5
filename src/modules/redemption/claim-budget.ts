import { sql } from 'kysely';
import type { AppContext } from '../../context.js';
import { AppError } from '../../lib/errors.js';

/**
 * Guessing defense (api.md §3, §7): budgets of failed claims per client, per rider and per
 * program over a sliding window. Failures are rows in the database, so every server process
 * shares the same budgets. Check-then-record is not atomic: under a burst a budget may be
 * overshot by the number of claims in flight, which is harmless for a guessing defense.
 */
export type BudgetBucket = { kind: 'client' | 'rider' | 'program'; id: string };

function key(bucket: BudgetBucket): string {
  return `${bucket.kind}:${bucket.id}`;
}

function limitOf(ctx: AppContext, kind: BudgetBucket['kind']): number {
  switch (kind) {
    case 'client':
      return ctx.config.claimFailuresPerClient;
    case 'rider':
      return ctx.config.claimFailuresPerRider;
    case 'program':
      return ctx.config.claimFailuresPerProgram;
  }
}

/** Throws 429 `rate_limited` with Retry-After when any bucket has spent its budget. */
export async function assertClaimBudget(ctx: AppContext, buckets: BudgetBucket[]): Promise<void> {
  const db = ctx.database.db;
  const now = ctx.clock.now();
  const windowMs = ctx.config.claimFailureWindowSeconds * 1000;
  const cutoff = now - windowMs;
  const keys = buckets.map(key);
  const counts = await db
    .selectFrom('claim_failures')
    .select(['bucket', sql<number>`count(*)`.as('n')])
    .where('bucket', 'in', keys)
    .where('created_at', '>', cutoff)
    .groupBy('bucket')
    .execute();
  let limited = false;
  let retryAfterMs = 0;
  for (const bucket of buckets) {
    const found = counts.find((c) => c.bucket === key(bucket));
    const count = Number(found?.n ?? 0);
    const limit = limitOf(ctx, bucket.kind);
    if (count < limit) continue;
    limited = true;
    // The budget frees up when the failure at position (count - limit) leaves the window.
    const row = await db
      .selectFrom('claim_failures')
      .select('created_at')
      .where('bucket', '=', key(bucket))
      .where('created_at', '>', cutoff)
      .orderBy('created_at')
      .limit(1)
      .offset(count - limit)
      .executeTakeFirst();
    const freesAt = (row ? Number(row.created_at) : now) + windowMs;
    retryAfterMs = Math.max(retryAfterMs, freesAt - now);
  }
  if (limited) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    throw new AppError('rate_limited', 'claims_rate_limited', { params: { seconds }, headers: { 'retry-after': String(seconds) } });
  }
}

/** Spends one unit of each bucket's budget; drops the buckets' rows that left the window. */
export async function recordClaimFailure(ctx: AppContext, buckets: BudgetBucket[]): Promise<void> {
  const db = ctx.database.db;
  const now = ctx.clock.now();
  const cutoff = now - ctx.config.claimFailureWindowSeconds * 1000;
  await db
    .insertInto('claim_failures')
    .values(buckets.map((b) => ({ id: ctx.ids.next(), bucket: key(b), created_at: now })))
    .execute();
  await db
    .deleteFrom('claim_failures')
    .where('bucket', 'in', buckets.map(key))
    .where('created_at', '<=', cutoff)
    .execute();
}
