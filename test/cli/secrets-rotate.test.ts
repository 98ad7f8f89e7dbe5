import { existsSync, readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createContext, type AppContext } from '../../src/context.js';
import { keyId, SecretBox } from '../../src/lib/secret-box.js';
import { bootstrap } from '../../src/modules/oauth/bootstrap.service.js';
import { createEndpoint, SIGNING_KEY_PURPOSE } from '../../src/modules/webhooks/endpoint.service.js';
import { createTestDatabase, testEngine, type TestDatabase } from '../helpers/database.js';
import { runCli } from '../helpers/cli.js';
import { startServerProcess } from '../helpers/processes.js';
import { unitOfWork } from '../../src/db/unit-of-work.js';

const KEY_A = Buffer.alloc(32, 1);
const KEY_B = Buffer.alloc(32, 2);
const LEGACY_KEY = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

let testDb: TestDatabase;
let ctx: AppContext;
let clientId: string;
beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = createContext(loadConfig({ DEMO_BOOTSTRAP: 'false', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', SECRETS_KEY: KEY_A.toString('base64') }), testDb.database);
  clientId = (await bootstrap(ctx, { orgName: 'Rotate Org', adminEmail: 'rotate@example.com', adminPassword: 'correct horse battery staple' })).client.client_id;
});
afterAll(async () => testDb.drop());

async function storedKeys(): Promise<{ id: string; signing_key: string }[]> {
  return testDb.database.db.selectFrom('webhook_endpoints').select(['id', 'signing_key']).orderBy('id').execute();
}

describe('voucherd secrets rotate', () => {
  it('re-seals every value under the new key (legacy plaintext included), opens old ones with SECRETS_KEY_PREVIOUS, and is safe to re-run', async () => {
    const sealed = await createEndpoint(ctx, { clientId, url: 'http://127.0.0.1:9/a' }, unitOfWork(ctx.database));
    // An endpoint written by a version that stored signing keys as issued.
    const legacyId = ctx.ids.next();
    await testDb.database.db
      .insertInto('webhook_endpoints')
      .values({ id: legacyId, client_id: clientId, url: 'http://127.0.0.1:9/b', event_types: null, description: null, signing_key: LEGACY_KEY, previous_signing_key: null, previous_key_expires_at: null, status: 'ENABLED', disabled_reason: null, created_at: 1, updated_at: 1, deleted_at: null })
      .execute();
    const env = { DATABASE_URL: testDb.url, SECRETS_KEY: KEY_B.toString('hex'), SECRETS_KEY_PREVIOUS: KEY_A.toString('base64') };

    const first = await runCli(['secrets', 'rotate'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/webhook_endpoints\.signing_key: 2 of 2 sealed under key /);
    const boxB = new SecretBox(KEY_B);
    const rows = await storedKeys();
    for (const row of rows) expect(row.signing_key.split(':')[1]).toBe(keyId(KEY_B));
    const byId = new Map(rows.map((r) => [r.id, boxB.open(r.signing_key, SIGNING_KEY_PURPOSE)]));
    expect(byId.get(sealed.webhook_endpoint_id)).toBe(sealed.signing_key);
    expect(byId.get(legacyId)).toBe(LEGACY_KEY);

    const again = await runCli(['secrets', 'rotate', '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ resealed: 0, unchanged: 2 });
    expect(await storedKeys()).toEqual(rows);
  });

  it('voucherd serve seals a plaintext signing key left by an older version when it starts', async () => {
    const legacyId = ctx.ids.next();
    await testDb.database.db
      .insertInto('webhook_endpoints')
      .values({ id: legacyId, client_id: clientId, url: 'http://127.0.0.1:9/c', event_types: null, description: null, signing_key: LEGACY_KEY, previous_signing_key: null, previous_key_expires_at: null, status: 'ENABLED', disabled_reason: null, created_at: 1, updated_at: 1, deleted_at: null })
      .execute();
    const server = await startServerProcess({ DATABASE_URL: testDb.url, SECRETS_KEY: KEY_B.toString('hex'), SECRETS_KEY_PREVIOUS: KEY_A.toString('base64') });
    await server.stop();
    const row = await testDb.database.db.selectFrom('webhook_endpoints').select('signing_key').where('id', '=', legacyId).executeTakeFirstOrThrow();
    expect(row.signing_key).not.toContain(LEGACY_KEY.slice(6));
    expect(new SecretBox(KEY_B).open(row.signing_key, SIGNING_KEY_PURPOSE)).toBe(LEGACY_KEY);
  });

  it('a value under a key it was not given: one line naming SECRETS_KEY_PREVIOUS, exit 4 (configuration), nothing changed', async () => {
    const before = await storedKeys();
    const res = await runCli(['secrets', 'rotate'], { DATABASE_URL: testDb.url, SECRETS_KEY: Buffer.alloc(32, 3).toString('base64') });
    expect(res.code).toBe(4);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/SECRETS_KEY_PREVIOUS/);
    expect(await storedKeys()).toEqual(before);
  });

  it('--help, and one-line configuration errors for a bad key', async () => {
    const help = await runCli(['secrets', 'rotate', '--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: voucherd secrets rotate/);
    const short = await runCli(['secrets', 'rotate'], { DATABASE_URL: testDb.url, SECRETS_KEY: 'c2hvcnQ=' });
    expect(short.code).toBe(4);
    expect(short.stderr).toMatch(/SECRETS_KEY must be 32 bytes/);
  });

  it.runIf(testEngine() === 'sqlite')('SQLite without a key: a generated key kept beside the database file, reused by every later run', async () => {
    const file = `${testDb.url.slice('sqlite:'.length)}.secrets-key`;
    const fresh = await createTestDatabase();
    try {
      const freshFile = `${fresh.url.slice('sqlite:'.length)}.secrets-key`;
      expect(existsSync(freshFile)).toBe(false);
      const first = await runCli(['secrets', 'rotate', '--json'], { DATABASE_URL: fresh.url, SECRETS_KEY: '' });
      expect(first.code, first.stderr).toBe(0);
      const key = readFileSync(freshFile, 'utf8');
      expect(Buffer.from(key.trim(), 'base64')).toHaveLength(32);
      expect(statSync(freshFile).mode & 0o077).toBe(0);
      const again = await runCli(['secrets', 'rotate', '--json'], { DATABASE_URL: fresh.url, SECRETS_KEY: '' });
      expect(again.code, again.stderr).toBe(0);
      expect(readFileSync(freshFile, 'utf8')).toBe(key);
    } finally {
      await fresh.drop();
    }
    expect(existsSync(file)).toBe(false);
  });

  it.runIf(testEngine() === 'postgres')('PostgreSQL without a key: serve refuses to start with one clear line', async () => {
    const res = await runCli(['serve'], { DATABASE_URL: testDb.url, SECRETS_KEY: '', PORT: '0' });
    expect(res.code).toBe(4);
    expect(res.stderr).toMatch(/^voucherd: SECRETS_KEY or SECRETS_KEY_FILE must be set with PostgreSQL[^\n]*\n$/);
  });
});
