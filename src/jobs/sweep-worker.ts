import type { AppContext } from '../context.js';
import type { Worker } from './runner.js';

/**
 * A worker that deletes what is past its time, every `intervalMs`, in one process at a time
 * (singleton lease, docs/architecture.md, Scale-out). `sweep` does one pass; what it returns
 * (counts, for tests and the CLI) is not the runner's concern.
 */
export function sweepWorker(name: string, intervalMs: number, sweep: (ctx: AppContext) => Promise<unknown>): Worker {
  return {
    name,
    intervalMs,
    singleton: true,
    async run(ctx) {
      await sweep(ctx);
    },
  };
}
