import type { AppContext } from '../../context.js';
import type { Worker } from '../../jobs/runner.js';
import { drainWorker } from '../../jobs/drain-worker.js';
import { claimDueRun, finishRun } from './run.repository.js';
import { completeTrip } from './trip-outcome.js';

/** A run that failed this many claims in a row is given up (FAILED) instead of retried forever. */
export const MAX_RUN_ATTEMPTS = 5;

/**
 * Runs one claimed run to its end. Fenced by the lease: if another process took the run over
 * (ours expired), finishing is a no-op for us — the trip itself is idempotent on its id.
 */
export async function runTripRun(ctx: AppContext, run: Awaited<ReturnType<typeof claimDueRun>> & object, holder: string): Promise<void> {
  const db = ctx.database.db;
  if (run.attempts > MAX_RUN_ATTEMPTS) {
    await finishRun(db, run.id, holder, { state: 'FAILED', runInfo: null, message: 'sandbox_run_failed' }, ctx.clock.now());
    return;
  }
  const outcome = await completeTrip(ctx, run);
  await finishRun(db, run.id, holder, { state: 'COMPLETED', runInfo: JSON.stringify(outcome.runInfo), message: outcome.message }, ctx.clock.now());
}

/**
 * Claims due sandbox runs and completes them until none is due (or the process stops). Every
 * process runs it; the database lease decides who completes which run, and a run whose holder died
 * is taken over once its lease expires (docs/sandbox.md).
 */
export function sandboxRunsWorker(holder: string, pollMs: number): Worker {
  return drainWorker('sandbox-runs', pollMs, async (ctx) => {
    const run = await claimDueRun(ctx.database.db, holder, ctx.clock.now(), ctx.config.sandboxLeaseSeconds * 1000);
    if (!run) return false;
    // A failure leaves the run leased: the runner logs it, and whoever claims the run once the
    // lease expires retries it (up to MAX_RUN_ATTEMPTS).
    await runTripRun(ctx, run, holder);
    return true;
  });
}
