import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword, sha256Hex } from '../../src/lib/secrets.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { runCli } from '../helpers/cli.js';

let testDb: TestDatabase;
let env: Record<string, string>;
beforeAll(async () => {
  testDb = await createTestDatabase();
  env = { DATABASE_URL: testDb.url };
});
afterAll(async () => {
  await testDb.drop();
});

describe('voucherd CLI', () => {
  it('bootstrap --json prints exactly one JSON object; secrets are stored hashed', async () => {
    const res = await runCli(['bootstrap', '--org-name', 'Acme Rides', '--admin-email', 'Boss@Acme.test', '--json'], env);
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(res.stdout.trim().split('\n')).toHaveLength(1);
    expect(out).toEqual({
      organization_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      admin: { user_id: expect.any(String), email: 'boss@acme.test', password: expect.any(String) },
      client: { client_id: expect.any(String), client_secret: expect.any(String), scopes: ['organizations.voucher_programs'] },
    });
    const db = testDb.database.db;
    const user = await db.selectFrom('users').selectAll().where('id', '=', out.admin.user_id).executeTakeFirstOrThrow();
    expect(user.password_hash).not.toContain(out.admin.password);
    expect(await verifyPassword(out.admin.password, user.password_hash)).toBe(true);
    const client = await db.selectFrom('oauth_clients').selectAll().where('client_id', '=', out.client.client_id).executeTakeFirstOrThrow();
    expect(client.secret_hash).toBe(sha256Hex(out.client.client_secret));
    expect(client).toMatchObject({ kind: 'FIRST_PARTY', organization_id: out.organization_id });
    const membership = await db.selectFrom('memberships').selectAll().where('user_id', '=', out.admin.user_id).executeTakeFirstOrThrow();
    expect(membership.role).toBe('ADMIN');
  });

  it('bootstrap with the same admin email again fails cleanly and writes nothing', async () => {
    const before = await testDb.database.db.selectFrom('organizations').select('id').execute();
    const res = await runCli(['bootstrap', '--org-name', 'Again', '--admin-email', 'boss@acme.test', '--admin-password', 'long enough pass', '--json'], env);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/already exists/);
    expect(await testDb.database.db.selectFrom('organizations').select('id').execute()).toHaveLength(before.length);
  });

  it('org create, user create and client create (first- and third-party) with --json', async () => {
    const org = JSON.parse((await runCli(['org', 'create', '--name', 'Beta', '--json'], env)).stdout);
    expect(org.organization_id).toMatch(/^[0-9a-f-]{36}$/);
    const user = await runCli(['user', 'create', '--email', 'm@beta.test', '--org', org.organization_id, '--role', 'MEMBER', '--json'], env);
    expect(user.code, user.stderr).toBe(0);
    expect(JSON.parse(user.stdout)).toMatchObject({ email: 'm@beta.test', role: 'MEMBER', organization_id: org.organization_id, password: expect.any(String) });
    const fp = await runCli(['client', 'create', '--kind', 'first-party', '--org', org.organization_id, '--json'], env);
    expect(fp.code, fp.stderr).toBe(0);
    expect(JSON.parse(fp.stdout)).toMatchObject({ kind: 'FIRST_PARTY', organization_id: org.organization_id, scopes: ['organizations.voucher_programs'] });
    const tp = await runCli(['client', 'create', '--kind', 'third-party', '--name', 'Platform', '--redirect-uri', 'https://platform.test/cb', '--json'], env);
    expect(tp.code, tp.stderr).toBe(0);
    expect(JSON.parse(tp.stdout)).toMatchObject({ kind: 'THIRD_PARTY', organization_id: null, scopes: ['organizations.voucher_programs.aggregator'], redirect_uris: ['https://platform.test/cb'] });
  });

  it('refuses bad input with a clear message and a non-zero exit', async () => {
    const noOrg = await runCli(['client', 'create', '--kind', 'first-party', '--json'], env);
    expect(noOrg.code).toBe(2);
    expect(noOrg.stderr).toMatch(/needs an organization/);
    const badKind = await runCli(['client', 'create', '--kind', 'martian'], env);
    expect(badKind.code).toBe(2);
    const unknownFlag = await runCli(['org', 'create', '--nme', 'x'], env);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toMatch(/Usage: voucherd org create/);
    const missing = await runCli(['bootstrap', '--org-name', 'x'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--admin-email is required/);
  });

  it('an invalid setting: one line naming every bad setting, exit 4, no stack trace', async () => {
    const bad = await runCli(['migrate'], { DATABASE_URL: 'mysql://admin:hunter2@db/x', PORT: 'abc' });
    expect(bad.code).toBe(4);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^voucherd: invalid configuration: PORT must be a whole number from 0 to 65535 \(got "abc"\); DATABASE_URL must start with sqlite: or postgres:\/\/[^\n]*\n$/);
    expect(bad.stderr).not.toContain('hunter2');
    expect(bad.stderr).not.toMatch(/^\s+at /m);
  });

  it('migrate --json reports an up-to-date schema', async () => {
    const res = await runCli(['migrate', '--json'], env);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ applied: [] });
  });
});

describe('client ids on a command line', () => {
  it('never start with a dash (they would read as an option): hex, 128 bits', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await runCli(['client', 'create', '--kind', 'third-party', '--name', `P${i}`, '--json'], env);
      expect(JSON.parse(res.stdout).client_id).toMatch(/^[0-9a-f]{32}$/);
    }
  });
});

const EXIT_CODES = ['0  success', '1  the command failed', '2  usage error', '3  not found', '4  configuration error'];

describe('voucherd --version and --help', () => {
  it('--version, -V and version print the package version and exit 0', async () => {
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    for (const args of [['--version'], ['-V'], ['version']]) {
      const res = await runCli(args, {});
      expect(res, args[0]).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it('the general help lists every command and the exit codes; each command lists every option with a description', async () => {
    const general = await runCli(['--help'], {});
    expect(general.code).toBe(0);
    expect((await runCli(['-h'], {})).stdout).toBe(general.stdout);
    for (const line of EXIT_CODES) expect(general.stdout).toContain(line);
    const block = general.stdout.slice(general.stdout.indexOf('Commands:\n') + 'Commands:\n'.length, general.stdout.indexOf('\n\n', general.stdout.indexOf('Commands:')));
    const commands = block.split('\n').map((line) => /^  (\S+(?: [a-z]+)?)  /.exec(line)![1]!);
    expect(commands).toEqual(expect.arrayContaining(['serve', 'migrate', 'bootstrap', 'org create', 'org authorizations', 'user create', 'client create', 'client disable', 'secrets rotate', 'webhook add', 'webhook list', 'webhook remove', 'webhook rotate']));
    for (const command of commands) {
      const res = await runCli([...command.split(' '), '--help'], {});
      expect(res.code, command).toBe(0);
      expect(res.stdout, command).toContain(`Usage: voucherd ${command}`);
      const usage = /^Usage: (.*)$/m.exec(res.stdout)![1]!;
      const options = res.stdout.slice(res.stdout.indexOf('Options:\n') + 'Options:\n'.length).split('\n\n')[0]!.split('\n');
      // Every row: a flag, two spaces at least, then a description.
      for (const row of options) expect(row, `${command}: ${row}`).toMatch(/^  (-\w, )?--[a-z-]+( \S+)?  +\S.{9,}$/);
      const described = options.map((row) => /--([a-z-]+)/.exec(row)![1]);
      for (const flag of usage.matchAll(/--([a-z-]+)/g)) expect(described, `${command} --${flag[1]}`).toContain(flag[1]);
      expect(described).toContain('help');
      for (const line of EXIT_CODES) expect(res.stdout, command).toContain(line);
    }
  }, 300_000);

  it('an unknown command or option is a usage error (exit 2); help <command> shows that command', async () => {
    const unknown = await runCli(['frobnicate'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^voucherd: unknown command: frobnicate\n/);
    const group = await runCli(['webhook', 'purge'], {});
    expect(group.code).toBe(2);
    expect(group.stderr).toMatch(/unknown subcommand: webhook purge[\s\S]*Usage: voucherd webhook add/);
    const help = await runCli(['help', 'client', 'create'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: voucherd client create');
    const settings = await runCli(['help', 'settings'], {});
    expect(settings.code).toBe(0);
    expect(settings.stdout).toMatch(/^  PORT +HTTP port \(default: 8080\)$/m);
    expect(settings.stdout).toMatch(/^  MAX_CONNECTIONS_PER_ADDRESS +\S.* \(default: 100\)$/m);
  });
});

describe('options are checked before the database is opened', () => {
  const ORG = '01900000-0000-7000-8000-000000000000';
  const BAD: string[][] = [
    ['bootstrap', '--org-name', 'Acme'],
    ['bootstrap', '--org-name', 'Acme', '--admin-email', 'not-an-email'],
    ['bootstrap', '--org-name', 'Acme', '--admin-email', 'a@acme.test', '--admin-password', 'short'],
    ['org', 'create', '--name', ' '],
    ['org', 'authorizations', '--org', 'not-a-uuid'],
    ['user', 'create', '--email', 'x@@y'],
    ['user', 'create', '--email', 'x@y.test', '--role', 'OWNER', '--org', ORG],
    ['user', 'create', '--email', 'x@y.test', '--org', 'acme'],
    ['client', 'create', '--kind', 'martian'],
    ['client', 'create', '--kind', 'first-party'],
    ['client', 'create', '--kind', 'first-party', '--org', ORG, '--scope', 'everything'],
    ['client', 'create', '--kind', 'third-party', '--redirect-uri', 'javascript:alert(1)'],
    ['client', 'create', '--kind', 'third-party', '--redirect-uri', 'https://x.test/cb#frag'],
    ['client', 'disable', '--client-id', 'a b'],
    ['webhook', 'add', '--client-id', 'abc', '--url', 'ftp://x.test/'],
    ['webhook', 'add', '--client-id', 'abc', '--url', 'https://x.test/', '--event', 'voucher_exploded'],
    ['webhook', 'remove', '--client-id', 'abc', '--id', 'nope'],
    ['webhook', 'rotate', '--client-id', 'abc', '--id', ORG, '--overlap-seconds', '-5'],
    ['org', 'create', '--nme', 'x'],
  ];
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'voucherd-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a bad invocation exits 2 naming the option, and creates no database file', async () => {
    const file = join(dir, 'sub', 'fresh.db');
    for (const args of BAD) {
      const res = await runCli(args, { DATABASE_URL: `sqlite:${file}` });
      expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(2);
      expect(res.stdout).toBe('');
      expect(res.stderr, args.join(' ')).toMatch(/^voucherd: \S.*\nUsage: voucherd /);
      expect(res.stderr).not.toMatch(/^\s+at /m);
      expect(existsSync(join(dir, 'sub')), args.join(' ')).toBe(false);
    }
  }, 300_000);
});

describe('an id that names nothing exits 3', () => {
  it('organization, client and webhook endpoint', async () => {
    const ORG = '01900000-0000-7000-8000-000000000000';
    const cases: [string[], string][] = [
      [['org', 'authorizations', '--org', ORG], `no organization with id ${ORG}`],
      [['user', 'create', '--email', 'ghost@nowhere.test', '--org', ORG], `no organization with id ${ORG}`],
      [['client', 'create', '--kind', 'first-party', '--org', ORG], `no organization with id ${ORG}`],
      [['client', 'disable', '--client-id', 'f'.repeat(32)], `no client with id ${'f'.repeat(32)}`],
      [['webhook', 'list', '--client-id', 'f'.repeat(32)], `no client with id ${'f'.repeat(32)}`],
    ];
    for (const [args, line] of cases) {
      const res = await runCli(args, env);
      expect(res, args.join(' ')).toEqual({ code: 3, stdout: '', stderr: `voucherd: ${line}\n` });
    }
    const user = await testDb.database.db.selectFrom('users').select('id').where('email', '=', 'ghost@nowhere.test').executeTakeFirst();
    expect(user).toBeUndefined();
  }, 120_000);
});
