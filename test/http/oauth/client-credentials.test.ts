import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/lib/secrets.js';
import { createClient } from '../../../src/modules/oauth/client.service.js';
import { createHarness, type Harness, type Tenant } from '../../helpers/harness.js';

let h: Harness;
let tenant: Tenant;
beforeAll(async () => {
  h = await createHarness();
  tenant = await h.seedTenant();
});
afterAll(async () => {
  await h.close();
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

function tokenRequest(payload: string, headers: Record<string, string> = {}) {
  return h.app.inject({ method: 'POST', url: '/oauth/v2/token', headers: { ...FORM, ...headers }, payload });
}

describe('POST /oauth/v2/token — client_credentials (RFC 6749 §4.4, docs/oauth.md)', () => {
  it('A2: client_secret_basic → 200 Bearer, no-store, no refresh token; only the hash is stored', async () => {
    const res = await tokenRequest('grant_type=client_credentials&scope=organizations.voucher_programs', {
      authorization: basic(tenant.clientId, tenant.clientSecret),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'organizations.voucher_programs',
    });
    expect(body.access_token.length).toBeGreaterThanOrEqual(43);
    const row = await h.ctx.database.db
      .selectFrom('oauth_tokens')
      .selectAll()
      .where('token_hash', '=', sha256Hex(body.access_token))
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ client_id: tenant.clientId, grant_type: 'client_credentials', user_id: null });
    expect(row.expires_at).toBe(h.clock.now() + 3600 * 1000);
    const leaked = await h.ctx.database.db.selectFrom('oauth_tokens').select('id').where('token_hash', '=', body.access_token).execute();
    expect(leaked).toHaveLength(0);
  });

  it('A2: client_secret_post → 200; without scope the client gets its client_credentials scopes', async () => {
    const res = await tokenRequest(
      new URLSearchParams({ grant_type: 'client_credentials', client_id: tenant.clientId, client_secret: tenant.clientSecret }).toString(),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json().scope).toBe('organizations.voucher_programs');
    expect(res.json().refresh_token).toBeUndefined();
  });

  it('A2: Basic credentials are form-urlencoded before base64 (secrets with -_.~ and more)', async () => {
    // A client id/secret containing characters a client percent-encodes must still work.
    const client = await createClient(h.ctx, { kind: 'FIRST_PARTY', organizationId: tenant.organizationId });
    const encodedEverything = (s: string) => [...s].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
    const header = `Basic ${Buffer.from(`${encodedEverything(client.client_id)}:${encodedEverything(client.client_secret)}`).toString('base64')}`;
    const res = await tokenRequest('grant_type=client_credentials', { authorization: header });
    expect(res.statusCode, res.body).toBe(200);
    expect(client.client_secret).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('A3: wrong secret and unknown client → 401 invalid_client with a Basic challenge and the same body', async () => {
    const wrong = await tokenRequest('grant_type=client_credentials', { authorization: basic(tenant.clientId, 'not-the-secret') });
    const unknown = await tokenRequest('grant_type=client_credentials', { authorization: basic('no-such-client', 'whatever') });
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic /);
      expect(res.headers['cache-control']).toBe('no-store');
    }
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.json().error).toBe('invalid_client');
  });

  it('A3: no client authentication at all → 401 invalid_client', async () => {
    const res = await tokenRequest('grant_type=client_credentials');
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('invalid_client');
  });

  it('A4: Basic and body secret together, duplicate parameters, JSON bodies → 400 invalid_request', async () => {
    const both = await tokenRequest(
      `grant_type=client_credentials&client_id=${tenant.clientId}&client_secret=${tenant.clientSecret}`,
      { authorization: basic(tenant.clientId, tenant.clientSecret) },
    );
    expect(both.statusCode).toBe(400);
    expect(both.json().error).toBe('invalid_request');
    const duplicate = await tokenRequest('grant_type=client_credentials&grant_type=client_credentials', {
      authorization: basic(tenant.clientId, tenant.clientSecret),
    });
    expect(duplicate.statusCode).toBe(400);
    expect(duplicate.json().error).toBe('invalid_request');
    const asJson = await h.app.inject({
      method: 'POST',
      url: '/oauth/v2/token',
      headers: { 'content-type': 'application/json', authorization: basic(tenant.clientId, tenant.clientSecret) },
      payload: { grant_type: 'client_credentials' },
    });
    expect(asJson.statusCode).toBe(400);
    expect(asJson.json().error).toBe('invalid_request');
    const missing = await tokenRequest('scope=x', { authorization: basic(tenant.clientId, tenant.clientSecret) });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toBe('invalid_request');
  });

  it('A4: password, implicit and unknown grants → unsupported_grant_type', async () => {
    for (const grant of ['password', 'implicit', 'urn:ietf:params:oauth:grant-type:device_code', 'toString', '__proto__']) {
      const res = await tokenRequest(`grant_type=${encodeURIComponent(grant)}&username=a&password=b`, {
        authorization: basic(tenant.clientId, tenant.clientSecret),
      });
      expect(res.statusCode, grant).toBe(400);
      expect(res.json().error).toBe('unsupported_grant_type');
    }
  });

  it('A5: unknown scope, a scope of another grant type, a scope not allowed for the client → invalid_scope', async () => {
    for (const scope of [
      'everything',
      'organizations.voucher_programs.delegated',
      'vouchers.redeem',
      'organizations.voucher_programs.aggregator',
      'organizations.voucher_programs everything',
    ]) {
      const res = await tokenRequest(`grant_type=client_credentials&scope=${encodeURIComponent(scope)}`, {
        authorization: basic(tenant.clientId, tenant.clientSecret),
      });
      expect(res.statusCode, scope).toBe(400);
      expect(res.json().error).toBe('invalid_scope');
    }
  });

  it('A5: scope order and repetition are irrelevant', async () => {
    const res = await tokenRequest(
      `grant_type=client_credentials&scope=${encodeURIComponent('organizations.voucher_programs  organizations.voucher_programs')}`,
      { authorization: basic(tenant.clientId, tenant.clientSecret) },
    );
    expect(res.statusCode).toBe(200);
    expect(res.json().scope).toBe('organizations.voucher_programs');
  });

  it('a third-party client gets the aggregator scope with client_credentials', async () => {
    const aggregator = await createClient(h.ctx, { kind: 'THIRD_PARTY', name: 'Platform' });
    const res = await tokenRequest('grant_type=client_credentials', { authorization: basic(aggregator.client_id, aggregator.client_secret) });
    expect(res.statusCode).toBe(200);
    expect(res.json().scope).toBe('organizations.voucher_programs.aggregator');
  });
});
