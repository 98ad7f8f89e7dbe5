import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../context.js';
import { randomToken } from '../lib/secrets.js';
import { releaseLease, tryAcquireLease } from './lease.repository.js';

/**
 * A unit of background work run periodically by every server process (docs/architecture.md, Scale-out).
 * `singleton` workers run only in the process holding their database lease; others must claim their
 * own work safely (leases per item, `FOR UPDATE SKIP LOCKED`, conditional updates).
 * Handlers live in their module; tests call `run` directly.
 */
export interface Worker {
  name: string;
  intervalMs: number;
  singleton?: boolean;
  run(ctx: AppContext, signal: AbortSignal): Promise<void>;
  /** Releases what the worker holds (connection pools) when the runner stops. */
  close?(): Promise<void>;
}

export class JobRunner {
  /** This process's identity for leases. */
  readonly holder = `proc-${randomToken(undefined, 9)}`;
  private readonly workers: Worker[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(
    private readonly ctx: AppContext,
    private readonly log: FastifyBaseLogger,
  ) {}

  add(worker: Worker): void {
    this.workers.push(worker);
  }

  start(): void {
    for (const worker of this.workers) this.schedule(worker, 0);
  }

  private schedule(worker: Worker, delay: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const run = this.tick(worker).finally(() => {
        this.running.delete(run);
        this.schedule(worker, worker.intervalMs);
      });
      this.running.add(run);
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }

  private async tick(worker: Worker): Promise<void> {
    try {
      if (worker.singleton) {
        const ttl = Math.max(worker.intervalMs * 3, 10_000);
        const mine = await tryAcquireLease(this.ctx.database.db, `worker:${worker.name}`, this.holder, ttl, this.ctx.clock.now());
        if (!mine) return;
      }
      await worker.run(this.ctx, this.abort.signal);
    } catch (err) {
      if (!this.stopped) this.log.error({ err, worker: worker.name }, 'background worker failed; will retry');
    }
  }

  /** Stops scheduling, signals running work to stop, waits for it, and releases singleton leases. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
    for (const worker of this.workers) {
      if (worker.singleton) await releaseLease(this.ctx.database.db, `worker:${worker.name}`, this.holder).catch(() => undefined);
      await worker.close?.().catch(() => undefined);
    }
  }
}
