import { createHash } from 'node:crypto';
import type pg from 'pg';

const names = new Map<string, string>();

/**
 * Marks a fixed SQL text (the same string on every call, arguments bound) as a PostgreSQL named
 * prepared statement: each pooled connection parses and plans it once and then only binds and
 * executes it. For the hot paths only (token lookup, program read, the one-statement claim):
 * parsing and planning the claim's data-modifying CTE on every call was most of its database CPU
 * (bench G3: ~800 → ~2,100 statements/s at 50 connections). Never for SQL built from input
 * (each distinct text would stay prepared on every connection for its lifetime).
 */
export function nameStatement(sqlText: string): void {
  if (!names.has(sqlText)) names.set(sqlText, `voucherd_${createHash('sha256').update(sqlText).digest('hex').slice(0, 20)}`);
}

type QueryFn = (config: unknown, values?: unknown, callback?: unknown) => unknown;

/**
 * Makes a pool's connections run marked statements as named prepared statements (Kysely's driver
 * calls `client.query(sql, parameters)`; this turns that into `client.query({ name, text, values })`
 * for marked SQL). Installed by openDatabase; benchmarks that run product statements on their own
 * pool install it too.
 */
export function prepareNamedStatements(pool: pg.Pool): void {
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as QueryFn;
    const named: QueryFn = (config, values, callback) => {
      if (typeof config === 'string' && (values === undefined || Array.isArray(values))) {
        const name = names.get(config);
        if (name) return query({ name, text: config, values }, callback);
      }
      return query(config, values, callback);
    };
    (client as unknown as { query: QueryFn }).query = named;
  });
}
