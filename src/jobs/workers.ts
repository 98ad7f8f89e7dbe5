import type { AppContext } from '../context.js';
import { generationJobsWorker } from '../modules/codes/generation-job.js';
import { claimFailureSweep } from '../modules/redemption/claim-failure.sweep.js';
import { statusSweepWorker } from '../modules/programs/status-sweep.worker.js';
import type { JobRunner } from './runner.js';

/**
 * Every background worker of the service, registered in one place so each server process runs the
 * same set (modules add theirs here).
 */
export function registerWorkers(runner: JobRunner, ctx: AppContext): void {
  runner.add(generationJobsWorker(runner.holder, ctx.config.generationPollMs));
  runner.add(claimFailureSweep);
  runner.add(statusSweepWorker);
}
