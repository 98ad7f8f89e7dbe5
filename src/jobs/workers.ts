import { oauthCleanupWorker } from '../modules/oauth/cleanup.worker.js';
import type { JobRunner } from './runner.js';

/**
 * Every background worker of the service, registered in one place so each server process runs the
 * same set (modules add theirs here).
 */
export function registerWorkers(runner: JobRunner): void {
  runner.add(oauthCleanupWorker);
}
