import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';

/** The key-encryption key test processes share (docs/secrets.md), so a test reads what a child process sealed. */
export const TEST_SECRETS_KEY = Buffer.alloc(32, 7).toString('base64');

export interface TestDatabase {
  database: Database;
  /** A DATABASE_URL another process can use to reach the same data (SQLite file or PG schema). */
  url: string;
  /** PostgreSQL: the schema's search_path option for child processes. */
  schema?: string;
  drop(): Promise<void>;
}

export function testEngine(): 'sqlite' | 'postgres' {
  const url = process.env.TEST_DATABASE_URL ?? 'sqlite::memory:';
  return url.startsWith('postgres') ? 'postgres' : 'sqlite';
}

/**
 * A fresh, migrated database for one test file: a temporary SQLite file, or a new PostgreSQL
 * schema in TEST_DATABASE_URL's database (dropped afterwards). Real engines, never mocks.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const url = process.env.TEST_DATABASE_URL ?? 'sqlite::memory:';
  if (!url.startsWith('postgres')) {
    const dir = mkdtempSync(join(tmpdir(), 'voucherd-test-'));
    const fileUrl = `sqlite:${join(dir, 'test.db')}`;
    const database = openDatabase(fileUrl);
    await migrateToLatest(database);
    return {
      database,
      url: fileUrl,
      drop: async () => {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const database = openDatabase(url, { schema });
  await migrateToLatest(database);
  return {
    database,
    url: withSearchPath(url, schema),
    schema,
    drop: async () => {
      await database.close();
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}

/** A libpq URL whose connections use the given schema (for child server processes). */
export function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

export interface TemporaryDatabase {
  name: string;
  /** TEST_DATABASE_URL with the database name replaced. */
  url: string;
  drop(): Promise<void>;
}

/**
 * A new, empty PostgreSQL database next to TEST_DATABASE_URL's (for tests that need settings a
 * schema cannot have, e.g. `default_transaction_read_only`, or a pooler that drops `options`).
 */
export async function createTemporaryDatabase(): Promise<TemporaryDatabase> {
  const base = process.env.TEST_DATABASE_URL ?? '';
  if (!base.startsWith('postgres')) throw new Error('createTemporaryDatabase needs TEST_DATABASE_URL=postgres://…');
  const name = `voucherd_tmp_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  return {
    name,
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
