import type { Worker } from '../../jobs/runner.js';
import { deleteFinishedDeliveries, finishedDeliveriesBefore } from './delivery.repository.js';
import { deleteEvents, dispatchedEventsBefore } from './outbox.repository.js';

const BATCH = 1000;

/**
 * Keeps the webhook tables bounded: finished deliveries (SUCCEEDED/FAILED) with their attempt
 * logs, and dispatched outbox rows, older than WEBHOOK_RETENTION_DAYS are deleted in batches.
 * Pending deliveries and undispatched events are never touched.
 */
export const webhookRetentionWorker: Worker = {
  name: 'webhook-retention',
  intervalMs: 10 * 60_000,
  singleton: true,
  async run(ctx, signal) {
    const db = ctx.database.db;
    const cutoff = ctx.clock.now() - ctx.config.webhookRetentionDays * 86_400_000;
    for (let round = 0; round < 50 && !signal.aborted; round += 1) {
      const old = await finishedDeliveriesBefore(db, cutoff, BATCH);
      if (old.length === 0) break;
      await deleteFinishedDeliveries(db, old);
      if (old.length < BATCH) break;
    }
    for (let round = 0; round < 50 && !signal.aborted; round += 1) {
      const old = await dispatchedEventsBefore(db, cutoff, BATCH);
      if (old.length === 0) break;
      await deleteEvents(db, old);
      if (old.length < BATCH) break;
    }
  },
};
