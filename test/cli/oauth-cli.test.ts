import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/lib/secrets.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { runCli as cli } from '../helpers/cli.js';

let testDb: TestDatabase;
let env: Record<string, string>;
beforeAll(async () => {
  testDb = await createTestDatabase();
  env = { DATABASE_URL: testDb.url };
});
afterAll(async () => {
  await testDb.drop();
});

describe('voucherd CLI: third-party clients and organization authorizations', () => {
  it('client create --kind third-party --redirect-uri URI --name NAME --json; then org authorizations lists approvals', async () => {
    const created = await cli(['client', 'create', '--kind', 'third-party', '--redirect-uri', 'https://agg.example.com/cb', '--name', 'Aggregator', '--json'], env);
    expect(created.code, created.stderr).toBe(0);
    const client = JSON.parse(created.stdout);
    expect(client).toMatchObject({ kind: 'THIRD_PARTY', organization_id: null, name: 'Aggregator', scopes: ['organizations.voucher_programs.aggregator'], redirect_uris: ['https://agg.example.com/cb'] });
    const row = await testDb.database.db.selectFrom('oauth_clients').selectAll().where('client_id', '=', client.client_id).executeTakeFirstOrThrow();
    expect(row.secret_hash).toBe(sha256Hex(client.client_secret));
    expect(JSON.parse(row.redirect_uris)).toEqual(['https://agg.example.com/cb']);

    const bad = await cli(['client', 'create', '--kind', 'third-party', '--redirect-uri', 'javascript:alert(1)', '--json'], env);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');

    const org = JSON.parse((await cli(['org', 'create', '--name', 'Acme', '--json'], env)).stdout);
    const empty = await cli(['org', 'authorizations', '--org', org.organization_id, '--json'], env);
    expect(empty.code, empty.stderr).toBe(0);
    expect(JSON.parse(empty.stdout)).toEqual({ organization_id: org.organization_id, authorizations: [] });

    await testDb.database.db
      .insertInto('organization_authorizations')
      .values({ id: '01900000-0000-7000-8000-0000000000aa', organization_id: org.organization_id, client_id: client.client_id, scope: 'organizations.voucher_programs.aggregator', approved_by_user_id: null, created_at: 1_700_000_000_000, revoked_at: null })
      .execute();
    const listed = await cli(['org', 'authorizations', '--org', org.organization_id, '--json'], env);
    expect(JSON.parse(listed.stdout).authorizations).toEqual([
      { client_id: client.client_id, app_name: 'Aggregator', scope: 'organizations.voucher_programs.aggregator', approved_by_user_id: null, created_at: 1_700_000_000_000, revoked_at: null, active: true },
    ]);
    const human = await cli(['org', 'authorizations', '--org', org.organization_id], env);
    expect(human.stdout).toMatch(new RegExp(`^active +${client.client_id} +Aggregator`));

    const missing = await cli(['org', 'authorizations', '--org', '01900000-0000-7000-8000-000000000000'], env);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toBe('voucherd: no organization with id 01900000-0000-7000-8000-000000000000\n');
    const help = await cli(['org', 'authorizations', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: voucherd org authorizations --org ID [--json]');
  });

  it('client create --kind first-party --org ID --scope vouchers.trips: a trip reporter; a third-party client cannot hold the scope', async () => {
    const org = JSON.parse((await cli(['org', 'create', '--name', 'Fares', '--json'], env)).stdout);
    const created = await cli(['client', 'create', '--kind', 'first-party', '--org', org.organization_id, '--scope', 'vouchers.trips', '--name', 'Fare system', '--json'], env);
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ kind: 'FIRST_PARTY', organization_id: org.organization_id, scopes: ['vouchers.trips'] });
    const refused = await cli(['client', 'create', '--kind', 'third-party', '--scope', 'vouchers.trips', '--redirect-uri', 'https://x.example/cb'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('cannot hold the scope vouchers.trips');
  });

  it('client disable --client-id ID: the client is disabled and its tokens are revoked; an unknown id fails', async () => {
    const org = JSON.parse((await cli(['org', 'create', '--name', 'Gone', '--json'], env)).stdout);
    const client = JSON.parse((await cli(['client', 'create', '--kind', 'first-party', '--org', org.organization_id, '--json'], env)).stdout);
    await testDb.database.db
      .insertInto('oauth_tokens')
      .values({ id: '01900000-0000-7000-8000-0000000000bb', token_hash: 'e'.repeat(64), client_id: client.client_id, user_id: null, grant_type: 'client_credentials', scope: 'organizations.voucher_programs', expires_at: Date.now() + 3_600_000, revoked_at: null, created_at: Date.now(), family_id: null })
      .execute();
    const disabled = await cli(['client', 'disable', '--client-id', client.client_id, '--json'], env);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(JSON.parse(disabled.stdout)).toMatchObject({ client_id: client.client_id, revoked_tokens: 1 });
    const row = await testDb.database.db.selectFrom('oauth_clients').select('disabled_at').where('client_id', '=', client.client_id).executeTakeFirstOrThrow();
    expect(row.disabled_at).not.toBeNull();
    const token = await testDb.database.db.selectFrom('oauth_tokens').select('revoked_at').where('id', '=', '01900000-0000-7000-8000-0000000000bb').executeTakeFirstOrThrow();
    expect(token.revoked_at).not.toBeNull();
    const unknown = await cli(['client', 'disable', '--client-id', 'nope'], env);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toBe('voucherd: no client with id nope\n');
  });
});
