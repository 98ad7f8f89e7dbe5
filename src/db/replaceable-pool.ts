import type pg from 'pg';

/** What voucherd and Kysely use of a pg.Pool; the pool behind it can be swapped. */
export interface PostgresPool {
  connect(): Promise<pg.PoolClient>;
  query: pg.Pool['query'];
  end(): Promise<void>;
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

/**
 * A pg.Pool facade whose pool can be replaced: when a connection turns out to be read-only (a
 * write failed with SQLSTATE 25006, e.g. the primary was demoted), every pooled connection may be
 * on the wrong server, so a fresh pool is made (its connections choose their host again,
 * host-selection.ts) and the old one ends once its checked-out connections come back.
 */
export class ReplaceablePool implements PostgresPool {
  private current: pg.Pool;
  private readonly retiring = new Set<Promise<void>>();
  /** How many times the pool was replaced (tests, metrics). */
  replacements = 0;

  constructor(private readonly create: () => pg.Pool) {
    this.current = create();
  }

  connect(): Promise<pg.PoolClient> {
    return this.current.connect();
  }

  query: pg.Pool['query'] = ((...args: unknown[]) => (this.current.query as (...a: unknown[]) => unknown)(...args)) as pg.Pool['query'];

  get totalCount(): number {
    return this.current.totalCount;
  }
  get idleCount(): number {
    return this.current.idleCount;
  }
  get waitingCount(): number {
    return this.current.waitingCount;
  }

  /** Replaces `pool` if it is still the current one (several failing connections replace it once). */
  replace(pool: pg.Pool): boolean {
    if (pool !== this.current) return false;
    this.current = this.create();
    this.replacements += 1;
    const ending = pool.end().catch(() => undefined);
    this.retiring.add(ending);
    void ending.then(() => this.retiring.delete(ending));
    return true;
  }

  async end(): Promise<void> {
    await Promise.all([this.current.end(), ...this.retiring]);
  }
}
