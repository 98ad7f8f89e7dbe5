import { claimDueRun } from '../../src/modules/sandbox/run.repository.js';
import type { Harness } from './harness.js';

export { completeTrip } from '../../src/modules/sandbox/trip-outcome.js';
export { finishRun } from '../../src/modules/sandbox/run.repository.js';

/** Claims the next due run as `holder` would (to stage a process that dies mid-run). */
export function claimRun(h: Harness, holder: string) {
  return claimDueRun(h.ctx.database.db, holder, h.clock.now(), h.ctx.config.sandboxLeaseSeconds * 1000);
}
