import type { Worker } from '../../jobs/runner.js';
import { deleteFailuresUpTo } from './claim-failure.repository.js';

/**
 * Drops failed-claim rows that left every budget window (claim-budget.ts). Buckets that keep
 * failing are trimmed on write; this sweep clears the ones that went quiet. One process at a time.
 */
export const claimFailureSweep: Worker = {
  name: 'claim-failure-sweep',
  intervalMs: 60_000,
  singleton: true,
  async run(ctx) {
    const cutoff = ctx.clock.now() - ctx.config.claimFailureWindowSeconds * 1000;
    await deleteFailuresUpTo(ctx.database.db, cutoff);
  },
};
