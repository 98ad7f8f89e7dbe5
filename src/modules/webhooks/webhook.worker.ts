import type { AppContext } from '../../context.js';
import type { Worker } from '../../jobs/runner.js';
import { randomToken } from '../../lib/secrets.js';
import { deliverDue } from './dispatcher.js';
import { fanOutEvents } from './fanout.js';
import { createTransport, type WebhookTransport } from './sender.js';

export interface WebhookWorkerOptions {
  /** Replaces the guarded undici transport (tests that fake outbound HTTP). */
  transport?: WebhookTransport;
  intervalMs?: number;
}

export interface WebhookWorker extends Worker {
  /** This worker's identity in delivery leases. */
  readonly holder: string;
  close(): Promise<void>;
}

/**
 * The webhook pipeline (docs/webhooks.md): outbox rows → per-endpoint deliveries → HTTP attempts.
 * Not a singleton: every process runs it; the database decides who attempts what.
 */
export function webhookWorker(ctx: AppContext, options: WebhookWorkerOptions = {}): WebhookWorker {
  const holder = `wh-${randomToken(undefined, 9)}`;
  const owned = options.transport
    ? null
    : createTransport({
        allowPrivate: ctx.config.webhookAllowPrivateTargets,
        timeoutMs: ctx.config.webhookTimeoutMs,
        maxResponseBytes: ctx.config.webhookMaxResponseBytes,
      });
  const transport = options.transport ?? owned!.send;
  return {
    name: 'webhooks',
    holder,
    intervalMs: options.intervalMs ?? ctx.config.webhookPollIntervalMs,
    async run(runCtx, signal) {
      for (let round = 0; round < 20 && !signal.aborted; round += 1) {
        if ((await fanOutEvents(runCtx)) === 0) break;
      }
      await deliverDue(runCtx, transport, holder, signal);
    },
    async close() {
      await owned?.close();
    },
  };
}
