import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../helpers/database.js';
import { runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/processes.js';

// Operator mistakes at startup (docs/observability.md): one line on stderr naming the setting,
// no stack trace, exit code 4 (configuration). Run through the built CLI, for every command that
// opens the database.
function expectOneLine(res: { code: number | null; stdout: string; stderr: string }, setting: RegExp) {
  expect(res.code, res.stderr).toBe(4);
  expect(res.stdout).toBe('');
  const lines = res.stderr.trim().split('\n');
  expect(lines, res.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^voucherd: /);
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

  it('an unreachable PostgreSQL names DATABASE_URL (and not its password), whatever the command', async () => {
    const closed = await freePort();
    const DATABASE_URL = `postgres://voucherd:s3cret@127.0.0.1:${closed}/voucherd`;
    for (const args of [['migrate'], ['serve'], ['org', 'create', '--name', 'Acme'], ['webhook', 'list', '--client-id', 'abc'], ['secrets', 'rotate']]) {
      const res = await runCli(args, { DATABASE_URL, DEMO_BOOTSTRAP: 'false', LOG_LEVEL: 'silent', PORT: '0' });
      expectOneLine(res, new RegExp(`^voucherd: cannot connect to the database at DATABASE_URL \\(127\\.0\\.0\\.1:${closed}\\): connection refused$`));
      expect(res.stderr).not.toContain('s3cret');
    }
  });

  it.skipIf(testEngine() !== 'postgres')('a PostgreSQL database that does not exist names DATABASE_URL', async () => {
    const u = new URL(process.env.TEST_DATABASE_URL!);
    u.pathname = '/voucherd_no_such_database';
    expectOneLine(await runCli(['migrate'], { DATABASE_URL: u.toString() }), /DATABASE_URL.*does not exist/);
  });

  it('a SQLite path that cannot be created names DATABASE_URL', async () => {
    for (const args of [['migrate'], ['serve'], ['bootstrap', '--org-name', 'Acme', '--admin-email', 'a@acme.test']]) {
      expectOneLine(
        await runCli(args, { DATABASE_URL: 'sqlite:/dev/null/voucherd/data.db', DEMO_BOOTSTRAP: 'false', LOG_LEVEL: 'silent', PORT: '0' }),
        /^voucherd: cannot open the SQLite file \/dev\/null\/voucherd\/data\.db \(DATABASE_URL\): a part of the path is not a directory$/,
      );
    }
  });

  it('a busy port names PORT', async () => {
    const res = await runCli(['serve'], { DATABASE_URL: 'sqlite::memory:', PORT: String(busyPort), HOST: '127.0.0.1', DEMO_BOOTSTRAP: 'false', LOG_LEVEL: 'silent' });
    expectOneLine(res, new RegExp(`^voucherd: port ${busyPort} on 127\\.0\\.0\\.1 is already in use: set PORT \\(or HOST\\) to a free one$`));
  });

  it('an invalid setting value names it', async () => {
    expectOneLine(await runCli(['serve'], { PORT: 'abc', DATABASE_URL: 'sqlite::memory:' }), /^voucherd: invalid configuration: PORT must be a whole number from 0 to 65535 \(got "abc"\)$/);
  });

  it('a multi-host URL nothing can parse is a configuration error naming DATABASE_URL, not a TypeError', async () => {
    const res = await runCli(['migrate'], { DATABASE_URL: 'postgres://u@db1:5432,:x/voucherd' });
    expect(res.code).toBe(4);
    expect(res.stderr).toMatch(/DATABASE_URL is not a usable PostgreSQL URL/);
    expect(res.stderr).not.toMatch(/TypeError|^\s+at /m);
  });
});
