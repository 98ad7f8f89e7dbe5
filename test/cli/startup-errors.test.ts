import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../helpers/database.js';
import { freePort, runCli } from '../helpers/processes.js';

// Operator mistakes at startup (docs/observability.md): one line on stderr naming the setting,
// no stack trace, exit code 1. Run through the real CLI.
function expectOneLine(res: { code: number | null; stdout: string; stderr: string }, setting: RegExp) {
  expect(res.code, res.stderr).toBe(1);
  expect(res.stdout).toBe('');
  const lines = res.stderr.trim().split('\n');
  expect(lines, res.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(setting);
  expect(res.stderr).not.toMatch(/^\s+at /m);
}

describe('CLI startup errors', () => {
  let busy: Server;
  let busyPort: number;
  beforeAll(async () => {
    busyPort = await freePort();
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(busyPort, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => busy.close(resolve));
  });

  it('an unreachable PostgreSQL names DATABASE_URL (and not its password)', async () => {
    const closed = await freePort();
    const res = await runCli(['migrate'], { DATABASE_URL: `postgres://voucherd:s3cret@127.0.0.1:${closed}/voucherd` });
    expectOneLine(res, /DATABASE_URL/);
    expect(res.stderr).toContain(`127.0.0.1:${closed}`);
    expect(res.stderr).not.toContain('s3cret');
  });

  it.skipIf(testEngine() !== 'postgres')('a PostgreSQL database that does not exist names DATABASE_URL', async () => {
    const u = new URL(process.env.TEST_DATABASE_URL!);
    u.pathname = '/voucherd_no_such_database';
    expectOneLine(await runCli(['migrate'], { DATABASE_URL: u.toString() }), /DATABASE_URL.*does not exist/);
  });

  it('a SQLite path that cannot be created names DATABASE_URL', async () => {
    expectOneLine(await runCli(['migrate'], { DATABASE_URL: 'sqlite:/dev/null/voucherd/data.db' }), /SQLite file \/dev\/null\/voucherd\/data\.db \(DATABASE_URL\)/);
  });

  it('a busy port names PORT', async () => {
    const res = await runCli(['serve'], { DATABASE_URL: 'sqlite::memory:', PORT: String(busyPort), HOST: '127.0.0.1', DEMO_BOOTSTRAP: 'false', LOG_LEVEL: 'silent' });
    expectOneLine(res, new RegExp(`Port ${busyPort} on 127\\.0\\.0\\.1 is already in use: set PORT`));
  });

  it('a multi-host URL nothing can parse is a configuration error naming DATABASE_URL, not a TypeError', async () => {
    const res = await runCli(['migrate'], { DATABASE_URL: 'postgres://u@db1:5432,:x/voucherd' });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/DATABASE_URL is not a usable PostgreSQL URL/);
    expect(res.stderr).not.toMatch(/TypeError|^\s+at /m);
  });
});
