import type { AppContext } from '../context.js';
import { generationJobsWorker } from '../modules/codes/generation-job.js';
import { oauthCleanupWorker } from '../modules/oauth/cleanup.worker.js';
import type { JobRunner } from './runner.js';

/**
 * Every background worker of the service, registered in one place so each server process runs the
 * same set (modules add theirs here).
 */
export function registerWorkers(runner: JobRunner, ctx: AppContext): void {
  runner.add(generationJobsWorker(runner.holder, ctx.config.generationPollMs));
  runner.add(oauthCleanupWorker);
}
