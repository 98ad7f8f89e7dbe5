import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/lib/secrets.js';
import type { CreatedClient } from '../../../src/modules/oauth/client.service.js';
import { bearer, createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { approveViaForms, basic, codeClient, pkcePair, REDIRECT, rider, tokenRequest } from '../../helpers/oauth-flow.js';

let h: Harness;
let tenant: Tenant;
let other: Tenant;
let client: CreatedClient;
beforeAll(async () => {
  h = await createHarness();
  tenant = await h.seedTenant();
  other = await h.seedTenant();
  client = await codeClient(h, tenant.organizationId);
});
afterAll(async () => {
  await h.close();
});

const form = (url: string, body: Record<string, string>, headers: Record<string, string> = {}) =>
  h.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: new URLSearchParams(body).toString() });

async function codeTokens() {
  const r = await rider(h);
  const pkce = pkcePair();
  const location = await approveViaForms(
    h,
    { response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT, scope: 'vouchers.redeem', code_challenge: pkce.challenge, code_challenge_method: 'S256' },
    { email: r.email },
  );
  const res = await tokenRequest(
    h,
    { grant_type: 'authorization_code', code: location.searchParams.get('code')!, redirect_uri: REDIRECT, code_verifier: pkce.verifier },
    { authorization: basic(client.client_id, client.client_secret) },
  );
  return { ...(res.json() as { access_token: string; refresh_token: string }), userId: r.userId };
}

const programUrl = async (t: Tenant) => `/v1/organizations/${t.organizationId}/voucher-programs/${await h.createProgram(t)}`;

describe('POST /oauth/v2/revoke (RFC 7009)', () => {
  it('A10: revokes the caller\'s own token (Basic or post auth); the next API call is 401', async () => {
    const token = await h.token(tenant.clientId, tenant.clientSecret);
    const url = await programUrl(tenant);
    expect((await h.app.inject({ method: 'GET', url, headers: bearer(token) })).statusCode).toBe(200);
    const res = await form('/oauth/v2/revoke', { token, token_type_hint: 'access_token' }, { authorization: basic(tenant.clientId, tenant.clientSecret) });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
    const row = await h.ctx.database.db.selectFrom('oauth_tokens').select('revoked_at').where('token_hash', '=', sha256Hex(token)).executeTakeFirstOrThrow();
    expect(row.revoked_at).toBe(h.clock.now());
    expect((await h.app.inject({ method: 'GET', url, headers: bearer(token) })).statusCode).toBe(401);

    const second = await h.token(tenant.clientId, tenant.clientSecret);
    const post = await form('/oauth/v2/revoke', { token: second, client_id: tenant.clientId, client_secret: tenant.clientSecret });
    expect(post.statusCode).toBe(200);
    expect((await h.app.inject({ method: 'GET', url, headers: bearer(second) })).statusCode).toBe(401);
  });

  it('A10: 200 for anything — unknown, garbage, already revoked, wrong hint', async () => {
    for (const token of ['nope', 'x'.repeat(600), 'already-gone-token-value-1234567890']) {
      const res = await form('/oauth/v2/revoke', { token, token_type_hint: 'refresh_token' }, { authorization: basic(tenant.clientId, tenant.clientSecret) });
      expect(res.statusCode, token).toBe(200);
    }
  });

  it("A10: another client cannot revoke your token (200, but the token lives on)", async () => {
    const token = await h.token(tenant.clientId, tenant.clientSecret);
    const res = await form('/oauth/v2/revoke', { token }, { authorization: basic(other.clientId, other.clientSecret) });
    expect(res.statusCode).toBe(200);
    const row = await h.ctx.database.db.selectFrom('oauth_tokens').select('revoked_at').where('token_hash', '=', sha256Hex(token)).executeTakeFirstOrThrow();
    expect(row.revoked_at).toBeNull();
    expect((await h.app.inject({ method: 'GET', url: await programUrl(tenant), headers: bearer(token) })).statusCode).toBe(200);
  });

  it('revoking a refresh token revokes its family (RFC 7009 §2.1); client auth is required', async () => {
    const t = await codeTokens();
    const res = await form('/oauth/v2/revoke', { token: t.refresh_token }, { authorization: basic(client.client_id, client.client_secret) });
    expect(res.statusCode).toBe(200);
    const access = await h.ctx.database.db.selectFrom('oauth_tokens').select('revoked_at').where('token_hash', '=', sha256Hex(t.access_token)).executeTakeFirstOrThrow();
    expect(access.revoked_at).not.toBeNull();
    const refreshed = await tokenRequest(h, { grant_type: 'refresh_token', refresh_token: t.refresh_token }, { authorization: basic(client.client_id, client.client_secret) });
    expect(refreshed.json().error).toBe('invalid_grant');
    const anonymous = await form('/oauth/v2/revoke', { token: t.access_token });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error).toBe('invalid_client');
    const noToken = await form('/oauth/v2/revoke', {}, { authorization: basic(client.client_id, client.client_secret) });
    expect(noToken.statusCode).toBe(400);
    expect(noToken.json().error).toBe('invalid_request');
  });
});

describe('POST /oauth/v2/introspect (RFC 7662)', () => {
  const introspect = (token: string, c: { id: string; secret: string }) =>
    form('/oauth/v2/introspect', { token }, { authorization: basic(c.id, c.secret) });

  it('an active access token → active with scope, client_id, exp, iat, sub; refresh tokens too', async () => {
    const t = await codeTokens();
    const res = await introspect(t.access_token, { id: client.client_id, secret: client.client_secret });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toMatchObject({
      active: true,
      scope: 'vouchers.redeem',
      client_id: client.client_id,
      token_type: 'Bearer',
      sub: t.userId,
      exp: Math.floor(h.clock.now() / 1000) + 3600,
      iat: Math.floor(h.clock.now() / 1000),
      iss: 'https://vouchers.test',
    });
    const refresh = await introspect(t.refresh_token, { id: client.client_id, secret: client.client_secret });
    expect(refresh.json()).toMatchObject({ active: true, token_type: 'refresh_token', sub: t.userId });
  });

  it('A10: inactive (unknown, revoked, expired, another client\'s) → exactly {"active":false}', async () => {
    const own = { id: tenant.clientId, secret: tenant.clientSecret };
    const revoked = await h.token(tenant.clientId, tenant.clientSecret);
    await form('/oauth/v2/revoke', { token: revoked }, { authorization: basic(own.id, own.secret) });
    const foreign = await h.token(other.clientId, other.clientSecret);
    const expiring = await h.token(tenant.clientId, tenant.clientSecret);
    for (const token of ['unknown-token-value-unknown-token', revoked, foreign]) {
      const res = await introspect(token, own);
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe('{"active":false}');
    }
    h.clock.advance(3600 * 1000);
    try {
      expect((await introspect(expiring, own)).body).toBe('{"active":false}');
    } finally {
      h.clock.advance(-3600 * 1000);
    }
  });

  it('requires client authentication', async () => {
    const token = await h.token(tenant.clientId, tenant.clientSecret);
    const res = await form('/oauth/v2/introspect', { token });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('invalid_client');
    const wrong = await introspect(token, { id: tenant.clientId, secret: 'wrong-secret' });
    expect(wrong.statusCode).toBe(401);
  });
});
