import type { Worker } from '../../jobs/runner.js';
import { sweepExpired } from './idempotency.repository.js';

/** Deletes idempotency rows past their retention (IDEMPOTENCY_RETENTION_SECONDS, default 24 h). */
export const idempotencySweepWorker: Worker = {
  name: 'idempotency-sweep',
  intervalMs: 60_000,
  singleton: true,
  async run(ctx, signal) {
    for (let round = 0; round < 50 && !signal.aborted; round += 1) {
      if ((await sweepExpired(ctx.database.db, ctx.clock.now(), 1000)) < 1000) break;
    }
  },
};
