import type { Worker } from '../../jobs/runner.js';
import { sweepWorker } from '../../jobs/sweep-worker.js';
import { deleteFailuresUpTo } from './claim-failure.repository.js';

/**
 * Drops failed-claim rows that left every budget window (claim-budget.ts). Buckets that keep
 * failing are trimmed on write; this sweep clears the ones that went quiet. One process at a time.
 */
export const claimFailureSweep: Worker = sweepWorker('claim-failure-sweep', 60_000, (ctx) =>
  deleteFailuresUpTo(ctx.database.db, ctx.clock.now() - ctx.config.claimFailureWindowSeconds * 1000),
);
