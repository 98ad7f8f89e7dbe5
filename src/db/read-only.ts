import type pg from 'pg';

/** SQLSTATE 25006 read_only_sql_transaction: a write reached a read-only session (a standby). */
export const READ_ONLY_SQL_TRANSACTION = '25006';

export function isReadOnlyError(err: unknown): boolean {
  return (err as { code?: string } | undefined)?.code === READ_ONLY_SQL_TRANSACTION;
}

type QueryFn = (config: unknown, values?: unknown, callback?: unknown) => unknown;

/**
 * Calls `onReadOnly` when a statement on one of the pool's connections fails with 25006 (the
 * request itself still fails; the error handler answers 503 + Retry-After). Installed per pool.
 */
export function watchReadOnly(pool: pg.Pool, onReadOnly: () => void): void {
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as QueryFn;
    const watched: QueryFn = (config, values, callback) => {
      const cb = typeof values === 'function' ? values : callback;
      if (typeof cb === 'function') {
        const report = (err: unknown, ...rest: unknown[]) => {
          if (isReadOnlyError(err)) onReadOnly();
          return (cb as (...a: unknown[]) => unknown)(err, ...rest);
        };
        return typeof values === 'function' ? query(config, report) : query(config, values, report);
      }
      const result = query(config, values);
      if (result instanceof Promise) {
        return result.catch((err: unknown) => {
          if (isReadOnlyError(err)) onReadOnly();
          throw err;
        });
      }
      return result; // a Submittable (COPY stream, cursor): left as it is
    };
    (client as unknown as { query: QueryFn }).query = watched;
  });
}
