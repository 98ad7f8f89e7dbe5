import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../../db/database.js';
import { AppError } from '../../lib/errors.js';
import { countBackgroundGenerations } from '../codes/generation.repository.js';
import { countPendingDeliveries } from '../webhooks/delivery.repository.js';
import { countUndispatchedEvents } from '../webhooks/outbox.repository.js';

/** The outcome label of a failed operation: the API error code (a closed list), else `error`. */
export function outcomeOf(err: unknown): string {
  return err instanceof AppError ? err.code : 'error';
}

/**
 * voucherd's domain metrics (docs/observability.md): what the service did, next to the HTTP
 * metrics of metrics.ts. One registry per context; services count through `ctx.metrics`. Gauges
 * are read from the database and the pool when Prometheus scrapes, so every process reports the
 * shared backlog as it is now.
 */
export class DomainMetrics {
  readonly registry = new Registry();
  readonly codesGenerated = new Counter({
    name: 'voucherd_codes_generated_total',
    help: 'Voucher codes committed by Generate, by mode (sync: before the response; job: a background job chunk)',
    labelNames: ['mode'] as const,
    registers: [this.registry],
  });
  readonly generationDuration = new Histogram({
    name: 'voucherd_code_generation_duration_seconds',
    help: 'Time from the start of a successful generation to its commit, by mode (job: from the request to the last chunk)',
    labelNames: ['mode'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  readonly claims = new Counter({
    name: 'voucherd_claims_total',
    help: 'Claims of a code by outcome (claimed, or the error code answered)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly trips = new Counter({
    name: 'voucherd_trips_total',
    help: 'Trips applied to a voucher by outcome (applied, or the error code answered)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly webhookDeliveries = new Counter({
    name: 'voucherd_webhook_delivery_attempts_total',
    help: 'Webhook delivery attempts by outcome (delivered, retry, failed)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly webhookDeliveryLag = new Histogram({
    name: 'voucherd_webhook_delivery_lag_seconds',
    help: 'Time from a delivery being queued (its event fanned out) to the receiver accepting it',
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14_400],
    registers: [this.registry],
  });

  constructor(database: Database) {
    const db = database.db;
    // A gauge that cannot be read this time keeps its last value rather than failing the scrape.
    const quietly = <G>(read: (this: G) => Promise<void>) =>
      async function (this: G) {
        await read.call(this).catch(() => undefined);
      };
    new Gauge({
      name: 'voucherd_outbox_backlog',
      help: 'Outbox events not yet fanned out to webhook deliveries',
      registers: [this.registry],
      collect: quietly(async function (this: Gauge) {
        this.set(await countUndispatchedEvents(db));
      }),
    });
    new Gauge({
      name: 'voucherd_webhook_deliveries_pending',
      help: 'Webhook deliveries waiting for a (first or next) attempt',
      registers: [this.registry],
      collect: quietly(async function (this: Gauge) {
        this.set(await countPendingDeliveries(db));
      }),
    });
    new Gauge({
      name: 'voucherd_generation_jobs',
      help: 'Background generation jobs by state (queued: waiting for a process; running: held by one)',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect: quietly(async function (this: Gauge<'state'>) {
        const counts = await countBackgroundGenerations(db);
        this.set({ state: 'queued' }, counts.pending);
        this.set({ state: 'running' }, counts.running);
      }),
    });
    const pool = database.pool;
    new Gauge({
      name: 'voucherd_db_pool_connections',
      help: 'PostgreSQL connections of this process by state (in_use, idle); SQLite reports none',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect(this: Gauge<'state'>) {
        if (!pool) return;
        this.set({ state: 'in_use' }, pool.totalCount - pool.idleCount);
        this.set({ state: 'idle' }, pool.idleCount);
      },
    });
    new Gauge({
      name: 'voucherd_db_pool_waiting',
      help: 'Queries of this process waiting for a free PostgreSQL connection',
      registers: [this.registry],
      collect(this: Gauge) {
        this.set(pool ? pool.waitingCount : 0);
      },
    });
  }

  /** Runs `fn`, counting its outcome on `counter`: `success` when it resolves, the error code when it throws. */
  async outcome<T>(counter: Counter<'outcome'>, success: string, fn: () => Promise<T>): Promise<T> {
    try {
      const result = await fn();
      counter.inc({ outcome: success });
      return result;
    } catch (err) {
      counter.inc({ outcome: outcomeOf(err) });
      throw err;
    }
  }
}
