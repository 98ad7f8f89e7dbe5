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
import { prepareNamedStatements } from './named-statements.js';

export type Dialect = 'sqlite' | 'postgres';

/**
 * One handle over either engine (architecture.md: dialect chosen by DATABASE_URL). The raw driver
 * handles are exposed only for the set-based bulk paths of the storage layer.
 */
export interface Database {
  readonly db: Kysely<DB>;
  readonly dialect: Dialect;
  readonly sqlite?: BetterSqlite3.Database;
  readonly pool?: pg.Pool;
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
  const schema = options.schema ?? searchPathOf(url) ?? 'public';
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? (schema === 'public' ? 'voucherd' : `voucherd:${schema}`),
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // A connection lost while idle (pool 'error') or while checked out (client 'error', e.g. the
  // backend was terminated mid-query) must not crash the process: the query in flight fails
  // (→ 503), the pool discards the client and opens a new one (quality.md F1).
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  prepareNamedStatements(pool);
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
    pool: pg.Pool,
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
