import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  sql,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type TableMetadata,
} from 'kysely';
import pg from 'pg';
import type { DB } from './schema.js';
import { hostSelectingClient } from './host-selection.js';
import { prepareNamedStatements, type PreparedStatementsMode } from './named-statements.js';
import { parsePostgresUrl } from './postgres-url.js';
import { watchReadOnly } from './read-only.js';
import { ReplaceablePool, type PostgresPool } from './replaceable-pool.js';

export type Dialect = 'sqlite' | 'postgres';

/**
 * One handle over either engine (docs/architecture.md: dialect chosen by DATABASE_URL). The raw driver
 * handles are exposed only for the set-based bulk paths of the storage layer.
 */
export interface Database {
  readonly db: Kysely<DB>;
  readonly dialect: Dialect;
  readonly sqlite?: BetterSqlite3.Database;
  readonly pool?: PostgresPool;
  /** PostgreSQL: the schema tables live in (search_path), `public` unless the URL or options say otherwise. */
  readonly schema?: string;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL only: the schema to work in (tests give each file its own). */
  schema?: string;
  poolSize?: number;
  /** PostgreSQL application_name (visible in pg_stat_activity). */
  applicationName?: string;
  /** Called with the SQL of every statement executed through Kysely (diagnostics and tests). */
  onQuery?: (sql: string) => void;
  /** PostgreSQL: named prepared statements for the hot paths (DATABASE_PREPARED_STATEMENTS); default auto. */
  preparedStatements?: PreparedStatementsMode;
  /** Hears what `auto` decided (true: statements are named). */
  onPreparedStatementsDecided?: (named: boolean) => void;
}

function queryLog(onQuery: ((sql: string) => void) | undefined) {
  if (!onQuery) return {};
  return {
    log: (event: { level: string; query: { sql: string } }): void => {
      if (event.level === 'query') onQuery(event.query.sql);
    },
  };
}

// int8 (COUNT(*), bigint columns) as JS numbers: every value we store is below 2^53.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

/**
 * SQLite write transactions start with BEGIN IMMEDIATE: the write lock is taken up front, so two
 * processes wait on busy_timeout instead of failing with SQLITE_BUSY on a read→write upgrade.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly database: BetterSqlite3.Database) {
    super({ database });
  }
  override createDriver() {
    return new ImmediateSqliteDriver({ database: withStatementCache(this.database) as unknown as BetterSqlite3.Database });
  }
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every query anew; preparing dominated a cheap authenticated GET in profiles
 * (bench G6). The driver only calls `prepare` and `close`, so hand it a view of the database whose
 * `prepare` reuses compiled statements (bounded, least recently used evicted).
 */
function withStatementCache(database: BetterSqlite3.Database): Pick<BetterSqlite3.Database, 'prepare' | 'close'> {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    prepare(source: string) {
      let statement = cache.get(source);
      if (statement) {
        cache.delete(source);
      } else {
        statement = database.prepare(source);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      cache.set(source, statement);
      return statement;
    },
    close() {
      cache.clear();
      return database.close();
    },
  } as Pick<BetterSqlite3.Database, 'prepare' | 'close'>;
}

export function sqlitePath(url: string): string {
  const rest = url.slice('sqlite:'.length);
  if (rest === ':memory:' || rest === '') return ':memory:';
  return rest.startsWith('//') ? rest.slice(2) : rest;
}

export function openDatabase(url: string, options: DatabaseOptions = {}): Database {
  if (url.startsWith('sqlite:')) {
    const path = sqlitePath(url);
    if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
    const sqlite = new BetterSqlite3(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    const db = new Kysely<DB>({ dialect: new ImmediateSqliteDialect(sqlite), ...queryLog(options.onQuery) });
    return {
      db,
      dialect: 'sqlite',
      sqlite,
      close: () => db.destroy(),
    };
  }
  // Multi-host URLs and target_session_attrs are read here (node-postgres knows neither).
  const parsed = parsePostgresUrl(url);
  const connectionString = parsed.urlFor(parsed.hosts[0]!);
  const selectHost = parsed.hosts.length > 1 || parsed.targetSessionAttrs !== 'any';
  const schema = options.schema ?? searchPathOf(connectionString) ?? 'public';
  // `?pgbouncer=true|false` in the URL settles `auto` without asking the server.
  const requested = options.preparedStatements ?? 'auto';
  const prepared = requested === 'auto' && parsed.pgbouncer !== undefined ? (parsed.pgbouncer ? 'off' : 'on') : requested;
  const pool: ReplaceablePool = new ReplaceablePool(() => {
    const current = new pg.Pool({
      connectionString,
      max: options.poolSize ?? 10,
      application_name: options.applicationName ?? (schema === 'public' ? 'voucherd' : `voucherd:${schema}`),
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
      ...(selectHost ? { Client: hostSelectingClient(parsed) } : {}),
    });
    // A connection lost while idle (pool 'error') or while checked out (client 'error', e.g. the
    // backend was terminated mid-query) must not crash the process: the query in flight fails
    // (→ 503), the pool discards the client and opens a new one.
    current.on('error', () => undefined);
    current.on('connect', (client) => {
      client.on('error', () => undefined);
    });
    prepareNamedStatements(current, prepared, options.onPreparedStatementsDecided);
    // A write refused as read-only: this pool's connections are on a standby; start over.
    watchReadOnly(current, () => pool.replace(current));
    return current;
  });
  const db = new Kysely<DB>({ dialect: new SchemaScopedPostgresDialect(pool, schema), ...queryLog(options.onQuery) });
  return { db, dialect: 'postgres', pool, schema, close: () => db.destroy() };
}

/**
 * Kysely's PostgreSQL introspector (used by the migrator to see whether its tables exist) reads
 * every schema's tables, and fails when another schema is dropped mid-query (parallel test files,
 * or another application sharing the database). Ours looks only at voucherd's own schema.
 */
class SchemaScopedPostgresDialect extends PostgresDialect {
  constructor(
    pool: PostgresPool,
    private readonly schema: string,
  ) {
    super({ pool });
  }
  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    const inner = super.createIntrospector(db);
    const schema = this.schema;
    const getTables = async (): Promise<TableMetadata[]> => {
      const { rows } = await sql<{ table_name: string; table_type: string }>`
        select table_name, table_type from information_schema.tables where table_schema = ${schema}`.execute(db);
      return rows.map((r) => ({ name: r.table_name, schema, isView: r.table_type === 'VIEW', columns: [] }));
    };
    return {
      getSchemas: () => inner.getSchemas(),
      getTables,
      getMetadata: async () => ({ tables: await getTables() }),
    };
  }
}

/** The first schema of a `?options=-c search_path=…` URL parameter, if any. */
function searchPathOf(url: string): string | undefined {
  try {
    const options = new URL(url).searchParams.get('options') ?? '';
    return /search_path=([A-Za-z_][A-Za-z0-9_]*)/.exec(options)?.[1];
  } catch {
    return undefined;
  }
}

/** True for a unique-constraint violation on either engine. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string } | undefined;
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
