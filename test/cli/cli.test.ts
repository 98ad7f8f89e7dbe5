import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword, sha256Hex } from '../../src/lib/secrets.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { runCli } from '../helpers/processes.js';

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
    expect(noOrg.code).toBe(1);
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

  it('every command has --help; invalid configuration lists every problem and exits 1', async () => {
    const general = await runCli(['--help'], env);
    expect(general.code).toBe(0);
    const commands = ['serve', 'migrate', 'bootstrap', 'org create', 'user create', 'client create'];
    for (const command of commands) expect(general.stdout).toContain(command);
    for (const command of commands) {
      const res = await runCli([...command.split(' '), '--help'], env);
      expect(res.code, command).toBe(0);
      expect(res.stdout, command).toContain(`Usage: voucherd ${command}`);
    }
    const bad = await runCli(['migrate'], { DATABASE_URL: 'mysql://nope', PORT: 'x' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Invalid configuration:[\s\S]*PORT[\s\S]*DATABASE_URL/);
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
