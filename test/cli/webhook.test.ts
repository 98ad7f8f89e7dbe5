import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createContext, type AppContext } from '../../src/context.js';
import { bootstrap } from '../../src/modules/oauth/bootstrap.service.js';
import { SIGNING_KEY_PURPOSE } from '../../src/modules/webhooks/endpoint.service.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { createTestDatabase, TEST_SECRETS_KEY, type TestDatabase } from '../helpers/database.js';

let testDb: TestDatabase;
let clientId: string;
let ctx: AppContext;

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = createContext(loadConfig({ DEMO_BOOTSTRAP: 'false', SECRETS_KEY: TEST_SECRETS_KEY }), testDb.database);
  clientId = (await bootstrap(ctx, { orgName: 'CLI Org', adminEmail: 'cli@example.com', adminPassword: 'correct horse battery staple' })).client.client_id;
});
afterAll(async () => {
  await testDb.drop();
});

function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(args, { DATABASE_URL: testDb.url, SECRETS_KEY: TEST_SECRETS_KEY, ...env });
}

describe('voucherd webhook add|list|rotate|remove', () => {
  it('manages a client’s endpoints with --json output, and refuses private targets', async () => {
    for (const sub of ['add', 'list', 'remove', 'rotate']) {
      const help = await cli(['webhook', sub, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`voucherd webhook ${sub}`);
      expect(help.stdout).toContain('--json');
    }
    const refused = await cli(['webhook', 'add', '--client-id', clientId, '--url', 'http://2130706433/']);
    // Refused before the database is opened: a usage error naming the option.
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(/--url is refused: .*loopback/);

    const add = await cli(['webhook', 'add', '--client-id', clientId, '--url', 'http://127.0.0.1:9/h', '--event', 'voucher_program_created', '--json'], {
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    });
    expect(add.code, add.stderr).toBe(0);
    const created = JSON.parse(add.stdout);
    expect(created).toMatchObject({ url: 'http://127.0.0.1:9/h', event_types: ['voucher_program_created'], status: 'ENABLED' });
    expect(created.signing_key).toMatch(/^whsec_/);
    const row = await testDb.database.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', created.webhook_endpoint_id).executeTakeFirstOrThrow();
    expect(row.client_id).toBe(clientId);

    const list = await cli(['webhook', 'list', '--client-id', clientId, '--json']);
    expect(list.code).toBe(0);
    const listed = JSON.parse(list.stdout);
    expect(listed.webhook_endpoints.map((e: { webhook_endpoint_id: string }) => e.webhook_endpoint_id)).toEqual([created.webhook_endpoint_id]);
    expect(list.stdout).not.toContain('whsec_');

    const rotate = await cli(['webhook', 'rotate', '--client-id', clientId, '--id', created.webhook_endpoint_id, '--overlap-seconds', '60', '--json']);
    expect(rotate.code).toBe(0);
    const rotated = JSON.parse(rotate.stdout);
    expect(rotated.signing_key).not.toBe(created.signing_key);
    const afterRotate = await testDb.database.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', created.webhook_endpoint_id).executeTakeFirstOrThrow();
    // Stored sealed (docs/secrets.md): the row holds envelopes that open to the keys shown once.
    expect(afterRotate.signing_key).not.toContain(rotated.signing_key.slice(6));
    const box = ctx.secrets();
    expect([box.open(afterRotate.signing_key, SIGNING_KEY_PURPOSE), box.open(afterRotate.previous_signing_key!, SIGNING_KEY_PURPOSE)]).toEqual([rotated.signing_key, created.signing_key]);

    const remove = await cli(['webhook', 'remove', '--client-id', clientId, '--id', created.webhook_endpoint_id, '--json']);
    expect(remove.code).toBe(0);
    expect(JSON.parse(remove.stdout)).toEqual({ webhook_endpoint_id: created.webhook_endpoint_id, removed: true });
    const again = await cli(['webhook', 'remove', '--client-id', clientId, '--id', created.webhook_endpoint_id]);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('not found');
    const unknown = await cli(['webhook', 'list', '--client-id', 'nope']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toBe('voucherd: no client with id nope\n');
  });
});
