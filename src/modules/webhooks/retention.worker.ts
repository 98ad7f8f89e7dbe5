import type { Worker } from '../../jobs/runner.js';

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
      const old = await db
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('status', 'in', ['SUCCEEDED', 'FAILED'])
        .where('created_at', '<', cutoff)
        .limit(BATCH)
        .execute();
      if (old.length === 0) break;
      const ids = old.map((r) => r.id);
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('webhook_delivery_attempts').where('delivery_id', 'in', ids).execute();
        await trx.deleteFrom('webhook_deliveries').where('id', 'in', ids).where('status', 'in', ['SUCCEEDED', 'FAILED']).execute();
      });
      if (old.length < BATCH) break;
    }
    for (let round = 0; round < 50 && !signal.aborted; round += 1) {
      const old = await db.selectFrom('outbox_events').select('id').where('dispatched_at', 'is not', null).where('dispatched_at', '<', cutoff).limit(BATCH).execute();
      if (old.length === 0) break;
      await db
        .deleteFrom('outbox_events')
        .where(
          'id',
          'in',
          old.map((r) => r.id),
        )
        .execute();
      if (old.length < BATCH) break;
    }
  },
};
