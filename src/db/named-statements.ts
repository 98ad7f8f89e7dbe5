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

/**
 * DATABASE_PREPARED_STATEMENTS: `on` names the marked statements, `off` sends them as unnamed
 * (parsed on every call; what a transaction-pooling PgBouncer needs), `auto` decides per pool
 * (docs/postgres-topologies.md).
 */
export type PreparedStatementsMode = 'auto' | 'on' | 'off';

type QueryFn = (config: unknown, values?: unknown, callback?: unknown) => unknown;

/**
 * `auto`, once per pool on its first connection: a pooler between voucherd and PostgreSQL hands
 * out its own backend key (PgBouncer sends a random one), so the process id the connection was
 * given at startup differs from `pg_backend_pid()` of the server session actually answering.
 * A direct connection reports its own pid in both places.
 */
async function behindPooler(client: pg.PoolClient, query: QueryFn): Promise<boolean> {
  const given = (client as unknown as { processID?: number }).processID;
  const result = (await query('select pg_backend_pid() as pid')) as { rows: { pid: number }[] };
  return given === undefined || result.rows[0]?.pid !== given;
}

/**
 * Makes a pool's connections run marked statements as named prepared statements (Kysely's driver
 * calls `client.query(sql, parameters)`; this turns that into `client.query({ name, text, values })`
 * for marked SQL). Installed by openDatabase; benchmarks that run product statements on their own
 * pool install it too. `onDecided` hears the outcome of `auto` (logged at startup).
 */
export function prepareNamedStatements(pool: pg.Pool, mode: PreparedStatementsMode = 'on', onDecided?: (named: boolean) => void): void {
  if (mode === 'off') return;
  let decided: boolean | undefined = mode === 'on' ? true : undefined;
  let deciding: Promise<boolean> | undefined;
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as QueryFn;
    const named: QueryFn = (config, values, callback) => {
      if (typeof config === 'string' && (values === undefined || Array.isArray(values))) {
        const name = names.get(config);
        if (name && decided === true) return query({ name, text: config, values }, callback);
        if (name && decided === undefined) {
          deciding ??= behindPooler(client, query).then(
            (pooled) => {
              decided = !pooled;
              onDecided?.(decided);
              return decided;
            },
            (err: unknown) => {
              deciding = undefined; // decide again on the next marked statement
              throw err;
            },
          );
          const run = deciding.then((useName) => query(useName ? { name, text: config, values } : config, useName ? undefined : values, callback));
          if (typeof callback === 'function') {
            run.catch((err: unknown) => (callback as (e: unknown) => void)(err));
            return undefined;
          }
          return run;
        }
      }
      return query(config, values, callback);
    };
    (client as unknown as { query: QueryFn }).query = named;
  });
}
