import type { Kysely } from 'kysely';
import type { AppContext } from '../../context.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/errors.js';
import { countFailuresSince, deleteFailuresUpTo, failureTimeAt, insertFailures, lockFailureBucket } from './claim-failure.repository.js';

/**
 * Guessing defense: budgets of failed claims over a sliding window (CLAIM_FAILURE_WINDOW_SECONDS).
 * Failures are rows in the database, so every server process shares the same budgets.
 *
 * - The rider's own budget is personal: once spent, even the rider's valid codes are refused
 *   (checked before a claim is tried).
 * - The shared budgets — the client app, the program, and on the built-in /redeem page the client
 *   address — throttle failures only: once one is spent, a failing claim is answered 429 instead
 *   of saying why it failed, but a valid claim still succeeds. Other riders' failures therefore
 *   never turn an honest rider's claim into a 429 (docs/redemption.md, "Guessing defense").
 *
 * A failure is checked and charged in one transaction that holds the buckets' locks (PostgreSQL
 * advisory locks, taken in a fixed order; SQLite write transactions are serialized), so a burst of
 * parallel failures can never push a budget past its limit.
 */
export type BudgetBucket = { kind: 'client' | 'rider' | 'program' | 'address'; id: string };

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
    case 'address':
      return ctx.config.claimFailuresPerAddress;
  }
}

async function countInWindow(db: Kysely<DB>, buckets: BudgetBucket[], cutoff: number): Promise<Map<string, number>> {
  return countFailuresSince(db, buckets.map(key), cutoff);
}

/** 429 `rate_limited` with the Retry-After of the spent bucket that frees up last. */
async function rateLimited(ctx: AppContext, spent: Array<{ bucket: BudgetBucket; count: number }>, now: number): Promise<AppError> {
  const windowMs = ctx.config.claimFailureWindowSeconds * 1000;
  let retryAfterMs = 0;
  for (const { bucket, count } of spent) {
    // The budget frees up when the failure at position (count - limit) leaves the window.
    const at = await failureTimeAt(ctx.database.db, key(bucket), now - windowMs, Math.max(0, count - limitOf(ctx, bucket.kind)));
    retryAfterMs = Math.max(retryAfterMs, (at ?? now) + windowMs - now);
  }
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError('rate_limited', 'claims_rate_limited', { params: { seconds }, headers: { 'retry-after': String(seconds) } });
}

/** Throws 429 when the rider's own budget is spent: checked before a claim is tried. */
export async function assertRiderBudget(ctx: AppContext, riderId: string): Promise<void> {
  const now = ctx.clock.now();
  const bucket: BudgetBucket = { kind: 'rider', id: riderId };
  const count = (await countInWindow(ctx.database.db, [bucket], now - ctx.config.claimFailureWindowSeconds * 1000)).get(key(bucket)) ?? 0;
  if (count >= limitOf(ctx, 'rider')) throw await rateLimited(ctx, [{ bucket, count }], now);
}

/**
 * Charges one failed claim to each bucket that has budget left, atomically. Returns normally when
 * every bucket took it (the caller then answers with the real refusal); throws 429 when a bucket
 * was already spent: the rider's own (nothing is charged then) or a shared one (the rest are).
 */
export async function chargeClaimFailure(ctx: AppContext, buckets: BudgetBucket[]): Promise<void> {
  const db = ctx.database.db;
  const now = ctx.clock.now();
  const cutoff = now - ctx.config.claimFailureWindowSeconds * 1000;
  const ordered = [...buckets].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const spent = await db.transaction().execute(async (trx) => {
    if (ctx.database.dialect === 'postgres') {
      // Serializes the failures of one bucket across every connection and process; a fixed order
      // of keys means two transactions never wait on each other in a cycle.
      for (const bucket of ordered) await lockFailureBucket(trx, key(bucket));
    }
    const counts = await countInWindow(trx, ordered, cutoff);
    const full = ordered.map((bucket) => ({ bucket, count: counts.get(key(bucket)) ?? 0 })).filter(({ bucket, count }) => count >= limitOf(ctx, bucket.kind));
    const riderSpent = full.some(({ bucket }) => bucket.kind === 'rider');
    const charged = riderSpent ? [] : ordered.filter((b) => !full.some((f) => f.bucket === b));
    if (charged.length > 0) await insertFailures(trx, charged.map((b) => ({ id: ctx.ids.next(), bucket: key(b), created_at: now })));
    return full;
  });
  // Rows that left the window are dropped here for busy buckets and by the sweep for quiet ones.
  await deleteFailuresUpTo(db, cutoff, buckets.map(key));
  if (spent.length > 0) throw await rateLimited(ctx, spent, now);
}
