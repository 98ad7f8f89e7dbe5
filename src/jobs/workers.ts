import type { AppContext } from '../context.js';
import { generationJobsWorker } from '../modules/codes/generation-job.js';
import { claimFailureSweep } from '../modules/redemption/claim-failure.sweep.js';
import { statusSweepWorker } from '../modules/programs/status-sweep.worker.js';
import { idempotencySweepWorker } from '../modules/idempotency/idempotency.worker.js';
import { webhookRetentionWorker } from '../modules/webhooks/retention.worker.js';
import { webhookWorker } from '../modules/webhooks/webhook.worker.js';
import { oauthCleanupWorker } from '../modules/oauth/cleanup.worker.js';
import { exportLinkCleanupWorker } from '../modules/code-exports/export-link.worker.js';
import { sandboxRunsWorker } from '../modules/sandbox/run.job.js';
import type { JobRunner } from './runner.js';

/**
 * Every background worker of the service, registered in one place so each server process runs the
 * same set (modules add theirs here).
 */
export function registerWorkers(runner: JobRunner, ctx: AppContext): void {
  runner.add(generationJobsWorker(runner.holder, ctx.config.generationPollMs));
  runner.add(claimFailureSweep);
  runner.add({ ...statusSweepWorker, intervalMs: ctx.config.statusSweepIntervalMs });
  runner.add(webhookWorker(ctx));
  runner.add(idempotencySweepWorker);
  runner.add(webhookRetentionWorker);
  runner.add(oauthCleanupWorker);
  runner.add(exportLinkCleanupWorker);
  if (ctx.config.environment === 'sandbox') runner.add(sandboxRunsWorker(runner.holder, ctx.config.sandboxPollMs));
}
