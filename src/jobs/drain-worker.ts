import type { AppContext } from '../context.js';
import type { Worker } from './runner.js';

/**
 * A worker that claims one item of leased work at a time and runs it, until nothing is left or the
 * process stops (docs/architecture.md, Scale-out). `step` claims and runs one item and says whether
 * it found one; the lease in the item's row decides which process runs what.
 */
export function drainWorker(name: string, intervalMs: number, step: (ctx: AppContext, signal: AbortSignal) => Promise<boolean>): Worker {
  return {
    name,
    intervalMs,
    async run(ctx, signal) {
      while (!signal.aborted) {
        if (!(await step(ctx, signal))) return;
      }
    },
  };
}
