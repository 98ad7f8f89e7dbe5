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

/** Histogram buckets (seconds): a generation takes milliseconds to minutes, a delivery's lag up to hours of retries. */
const GENERATION_SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const DELIVERY_LAG_SECONDS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14_400];

/**
 * voucherd's domain metrics (docs/observability.md): what the service did, next to the HTTP
 * metrics of metrics.ts. One registry per context; services count through `ctx.metrics`. Gauges
 * are read from the database and the pool when Prometheus scrapes, so every process reports the
 * shared backlog as it is now.
 */
export class DomainMetrics {
  readonly registry = new Registry();
  readonly codesGenerated = this.counter('voucherd_codes_generated_total', 'Voucher codes committed by Generate, by mode (sync: before the response; job: a background job chunk)', ['mode']);
  readonly generationDuration = this.histogram('voucherd_code_generation_duration_seconds', 'Time from the start of a successful generation to its commit, by mode (job: from the request to the last chunk)', GENERATION_SECONDS, ['mode']);
  readonly claims = this.counter('voucherd_claims_total', 'Claims of a code by outcome (claimed, or the error code answered)', ['outcome']);
  readonly trips = this.counter('voucherd_trips_total', 'Trips applied to a voucher by outcome (applied, or the error code answered)', ['outcome']);
  readonly webhookDeliveries = this.counter('voucherd_webhook_delivery_attempts_total', 'Webhook delivery attempts by outcome (delivered, retry, failed)', ['outcome']);
  readonly webhookDeliveryLag = this.histogram('voucherd_webhook_delivery_lag_seconds', 'Time from a delivery being queued (its event fanned out) to the receiver accepting it', DELIVERY_LAG_SECONDS);

  constructor(database: Database) {
    const db = database.db;
    const pool = database.pool;
    this.gauge('voucherd_outbox_backlog', 'Outbox events not yet fanned out to webhook deliveries', [], async (set) => {
      set({}, await countUndispatchedEvents(db));
    });
    this.gauge('voucherd_webhook_deliveries_pending', 'Webhook deliveries waiting for a (first or next) attempt', [], async (set) => {
      set({}, await countPendingDeliveries(db));
    });
    this.gauge(
      'voucherd_generation_jobs',
      'Background generation jobs by state (queued: waiting for a process; running: held by one)',
      ['state'],
      async (set) => {
        const counts = await countBackgroundGenerations(db);
        set({ state: 'queued' }, counts.pending);
        set({ state: 'running' }, counts.running);
      },
    );
    this.gauge(
      'voucherd_db_pool_connections',
      'PostgreSQL connections of this process by state (in_use, idle); SQLite reports none',
      ['state'],
      async (set) => {
        if (!pool) return;
        set({ state: 'in_use' }, pool.totalCount - pool.idleCount);
        set({ state: 'idle' }, pool.idleCount);
      },
    );
    this.gauge('voucherd_db_pool_waiting', 'Queries of this process waiting for a free PostgreSQL connection', [], async (set) => {
      set({}, pool ? pool.waitingCount : 0);
    });
  }

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private histogram<L extends string = never>(name: string, help: string, buckets: number[], labelNames: readonly L[] = []): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  /**
   * A gauge read when Prometheus scrapes: `read` sets its current values. A read that fails keeps
   * the last values rather than failing the scrape.
   */
  private gauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    read: (set: (labels: Partial<Record<L, string>>, value: number) => void) => Promise<void>,
  ): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect(this: Gauge<L>) {
        await read((labels, value) => this.set(labels, value)).catch(() => undefined);
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
