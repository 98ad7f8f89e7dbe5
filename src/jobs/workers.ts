import type { AppContext } from '../context.js';
import { idempotencySweepWorker } from '../modules/idempotency/idempotency.worker.js';
import { webhookRetentionWorker } from '../modules/webhooks/retention.worker.js';
import { webhookWorker } from '../modules/webhooks/webhook.worker.js';
import type { JobRunner } from './runner.js';

/**
 * Every background worker of the service, registered in one place so each server process runs the
 * same set (modules add theirs here).
 */
export function registerWorkers(runner: JobRunner, ctx: AppContext): void {
  runner.add(webhookWorker(ctx));
  runner.add(idempotencySweepWorker);
  runner.add(webhookRetentionWorker);
}
