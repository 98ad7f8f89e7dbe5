import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { parsePostgresUrl, PostgresUrlError } from '../../src/db/postgres-url.js';

describe('PostgreSQL DATABASE_URL parsing', () => {
  it('a single host keeps its URL; defaults: port 5432, target_session_attrs any', () => {
    const url = parsePostgresUrl('postgres://u:p%40ss@db.internal/voucherd?sslmode=require');
    expect(url.hosts).toEqual([{ host: 'db.internal', port: 5432 }]);
    expect(url.targetSessionAttrs).toBe('any');
    expect(url.pgbouncer).toBeUndefined();
    expect(url.urlFor(url.hosts[0]!)).toBe('postgres://u:p%40ss@db.internal:5432/voucherd?sslmode=require');
  });

  it('a host list with ports and IPv6 literals, target_session_attrs read, own parameters removed for node-postgres', () => {
    const url = parsePostgresUrl('postgresql://app@h1:5433,[::1]:6432,h3/db?target_session_attrs=read-write&pgbouncer=true&application_name=x');
    expect(url.hosts).toEqual([
      { host: 'h1', port: 5433 },
      { host: '::1', port: 6432 },
      { host: 'h3', port: 5432 },
    ]);
    expect(url.targetSessionAttrs).toBe('read-write');
    expect(url.pgbouncer).toBe(true);
    expect(url.urlFor(url.hosts[1]!)).toBe('postgresql://app@[::1]:6432/db?application_name=x');
    expect(() => new URL(url.urlFor(url.hosts[0]!))).not.toThrow();
  });

  it.each([
    ['postgres://u@h1:5432,:5433/db', /empty or malformed host/],
    ['postgres://u@h1:99999/db', /port out of range/],
    ['postgres://u@h1,h2/db?target_session_attrs=master', /target_session_attrs must be one of/],
    ['postgres://u@h1/db?pgbouncer=yes', /pgbouncer must be true or false/],
    ['postgres://u@h1:5432:7/db', /empty or malformed host/],
  ])('%s → one clear line naming DATABASE_URL', (input, message) => {
    let error: unknown;
    try {
      parsePostgresUrl(input);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PostgresUrlError);
    expect((error as Error).message).toMatch(/^DATABASE_URL /);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('loadConfig reports an unusable PostgreSQL URL as a configuration problem, not a TypeError', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u@h1:5432,:x/db' })).toThrow(ConfigError);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h1:5432,h2:5433/db?target_session_attrs=read-write' }).databaseUrl).toContain('h2:5433');
  });

  it('DATABASE_PREPARED_STATEMENTS is auto, on or off', () => {
    expect(loadConfig({}).databasePreparedStatements).toBe('auto');
    expect(loadConfig({ DATABASE_PREPARED_STATEMENTS: 'OFF' }).databasePreparedStatements).toBe('off');
    expect(() => loadConfig({ DATABASE_PREPARED_STATEMENTS: 'sometimes' })).toThrow(/DATABASE_PREPARED_STATEMENTS must be auto, on or off/);
  });
});
