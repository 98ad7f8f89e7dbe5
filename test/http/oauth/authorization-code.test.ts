import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { sha256Hex } from '../../../src/lib/secrets.js';
import type { CreatedClient } from '../../../src/modules/oauth/client.service.js';
import { createUser } from '../../../src/modules/orgs/org.service.js';
import { bearer, createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import {
  approveViaForms,
  authorizeUrl,
  basic,
  browser,
  codeClient,
  PASSWORD,
  pkcePair,
  REDIRECT,
  rider,
  tokenRequest,
} from '../../helpers/oauth-flow.js';

let h: Harness;
let tenant: Tenant;
let client: CreatedClient;
let adminEmail: string;
beforeAll(async () => {
  h = await createHarness();
  tenant = await h.seedTenant();
  client = await codeClient(h, tenant.organizationId);
  const row = await h.ctx.database.db.selectFrom('users').select('email').where('id', '=', tenant.adminUserId).executeTakeFirstOrThrow();
  adminEmail = row.email;
});
afterAll(async () => {
  await h.close();
});

const ISSUER = 'https://vouchers.test';

function params(overrides: Record<string, string> = {}, challenge = pkcePair().challenge): Record<string, string> {
  return {
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    scope: 'organizations.voucher_programs.delegated',
    state: 'st-123',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...overrides,
  };
}

async function codeFor(scope = 'organizations.voucher_programs.delegated', email = adminEmail) {
  const pkce = pkcePair();
  const location = await approveViaForms(h, params({ scope }, pkce.challenge), { email });
  return { code: location.searchParams.get('code')!, verifier: pkce.verifier, location };
}

function exchange(code: string, verifier: string | undefined, extra: Record<string, string> = {}, c: CreatedClient = client) {
  return tokenRequest(
    h,
    { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...(verifier ? { code_verifier: verifier } : {}), ...extra },
    { authorization: basic(c.client_id, c.client_secret) },
  );
}

describe('authorization_code + PKCE (RFC 6749 §4.1, RFC 7636, RFC 9207)', () => {
  it('a refused exchange tells the client only the public description of its error code; the reason goes to the request log', async () => {
    const { code } = await codeFor();
    const lines: string[] = [];
    const stream = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const app = await buildApp(h.ctx, { logger: { level: 'info', stream } });
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/oauth/v2/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.client_id, client.client_secret) },
        payload: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: pkcePair().verifier }).toString(),
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'invalid_grant', error_description: 'The authorization grant or refresh token is invalid, expired, revoked or does not match.' });
      const logged = lines.map((l) => JSON.parse(l)).find((l) => l.oauth_error === 'invalid_grant');
      expect(logged).toMatchObject({ detail: 'The code_verifier does not match the code_challenge.', reqId: res.headers['x-request-id'] });
    } finally {
      await app.close();
    }
  });

  it('happy path: sign in, consent, 303 with code + state + iss; the delegated token reaches the org API', async () => {
    const { code, verifier, location } = await codeFor();
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('st-123');
    expect(location.searchParams.get('iss')).toBe(ISSUER);
    const codeRow = await h.ctx.database.db.selectFrom('oauth_codes').selectAll().where('code_hash', '=', sha256Hex(code)).executeTakeFirstOrThrow();
    expect(codeRow).toMatchObject({ client_id: client.client_id, user_id: tenant.adminUserId, redirect_uri: REDIRECT, consumed_at: null });
    expect(codeRow.expires_at - codeRow.created_at).toBeLessThanOrEqual(60_000);

    const res = await exchange(code, verifier);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'organizations.voucher_programs.delegated',
      refresh_token: expect.any(String),
    });
    const tokenRow = await h.ctx.database.db.selectFrom('oauth_tokens').selectAll().where('token_hash', '=', sha256Hex(body.access_token)).executeTakeFirstOrThrow();
    expect(tokenRow).toMatchObject({ grant_type: 'authorization_code', user_id: tenant.adminUserId, family_id: codeRow.id });
    const api = await h.app.inject({ method: 'GET', url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${await h.createProgram(tenant)}`, headers: bearer(body.access_token) });
    expect(api.statusCode, api.body).toBe(200);
  });

  it('a rider (no membership) gets vouchers.redeem; a MEMBER cannot grant the delegated scope', async () => {
    const r = await rider(h);
    const { code, verifier } = await codeFor('vouchers.redeem', r.email);
    const res = await exchange(code, verifier);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().scope).toBe('vouchers.redeem');

    const member = await createUser(h.ctx, { email: `member-${Date.now()}@example.com`, password: PASSWORD, organizationId: tenant.organizationId, role: 'MEMBER' });
    const denied = await approveViaForms(h, params(), { email: member.email });
    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(denied.searchParams.get('state')).toBe('st-123');
    expect(denied.searchParams.get('code')).toBeNull();
  });

  it('B3 through the real flow: a delegated token whose user is demoted to MEMBER → 403 user_not_allowed on the next request', async () => {
    const t = await h.seedTenant();
    const c = await codeClient(h, t.organizationId);
    const email = (await h.ctx.database.db.selectFrom('users').select('email').where('id', '=', t.adminUserId).executeTakeFirstOrThrow()).email;
    const pkce = pkcePair();
    const location = await approveViaForms(h, params({ client_id: c.client_id }, pkce.challenge), { email });
    const res = await exchange(location.searchParams.get('code')!, pkce.verifier, {}, c);
    expect(res.statusCode, res.body).toBe(200);
    const url = `/v1/organizations/${t.organizationId}/voucher-programs/${await h.createProgram(t)}`;
    expect((await h.app.inject({ method: 'GET', url, headers: bearer(res.json().access_token) })).statusCode).toBe(200);
    await h.ctx.database.db.updateTable('memberships').set({ role: 'MEMBER' }).where('user_id', '=', t.adminUserId).execute();
    const after = await h.app.inject({ method: 'GET', url, headers: bearer(res.json().access_token) });
    expect(after.statusCode).toBe(403);
    expect(after.json().code).toBe('user_not_allowed');
    // And the delegated token never reaches another organization (B4).
    const foreign = await h.app.inject({ method: 'GET', url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${await h.createProgram(tenant)}`, headers: bearer(res.json().access_token) });
    expect(foreign.statusCode).toBe(403);
  });

  it('A6: redirect URIs are matched exactly — look-alikes get an error page, no redirect, no code', async () => {
    const lookalikes = [
      `${REDIRECT}/`,
      'https://APP.example.com/callback',
      'https://app.example.com/Callback',
      `${REDIRECT}?x=1`,
      `${REDIRECT}#frag`,
      'http://app.example.com/callback',
      'https://app.example.com.evil.test/callback',
      'https://app.example.com:443/callback',
      'https://evil.test/callback',
    ];
    const before = await h.ctx.database.db.selectFrom('oauth_codes').select('id').execute();
    const b = browser(h);
    for (const uri of lookalikes) {
      const res = await b.get(authorizeUrl(params({ redirect_uri: uri })));
      expect(res.statusCode, uri).toBe(400);
      expect(res.headers.location, uri).toBeUndefined();
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).not.toContain('name="password"');
    }
    const missing = await b.get(authorizeUrl(params({ redirect_uri: '' })));
    expect(missing.statusCode).toBe(400);
    const unknownClient = await b.get(authorizeUrl(params({ client_id: 'nope' })));
    expect(unknownClient.statusCode).toBe(400);
    expect(unknownClient.headers.location).toBeUndefined();
    expect(await h.ctx.database.db.selectFrom('oauth_codes').select('id').execute()).toHaveLength(before.length);
  });

  it('A6: the token request must name the same redirect URI', async () => {
    const { code, verifier } = await codeFor();
    const res = await exchange(code, verifier, { redirect_uri: `${REDIRECT}/` });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_grant');
  });

  it('A7: PKCE is required and S256 only — missing challenge or plain → redirected invalid_request, no code', async () => {
    const b = browser(h);
    const noChallenge = params();
    delete (noChallenge as Record<string, string | undefined>).code_challenge;
    delete (noChallenge as Record<string, string | undefined>).code_challenge_method;
    const plainVerifier = pkcePair().verifier;
    for (const p of [noChallenge, params({ code_challenge_method: 'plain', code_challenge: plainVerifier }), params({ code_challenge_method: '' })]) {
      const res = await b.get(authorizeUrl(p));
      expect(res.statusCode).toBe(302);
      const location = new URL(res.headers.location as string);
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('state')).toBe('st-123');
      expect(location.searchParams.get('iss')).toBe(ISSUER);
      expect(location.searchParams.get('code')).toBeNull();
    }
  });

  it('A7: wrong or missing verifier → invalid_grant (the right verifier still works afterwards)', async () => {
    const { code, verifier } = await codeFor();
    const missing = await exchange(code, undefined);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toBe('invalid_grant');
    const wrong = await exchange(code, pkcePair().verifier);
    expect(wrong.json().error).toBe('invalid_grant');
    const tooShort = await exchange(code, 'abc');
    expect(tooShort.json().error).toBe('invalid_grant');
    const ok = await exchange(code, verifier);
    expect(ok.statusCode).toBe(200);
  });

  it('A8: code reuse → invalid_grant and the tokens of the first use are revoked (access and refresh)', async () => {
    const { code, verifier } = await codeFor();
    const first = await exchange(code, verifier);
    expect(first.statusCode).toBe(200);
    const { access_token, refresh_token } = first.json();
    const second = await exchange(code, verifier);
    expect(second.statusCode).toBe(400);
    expect(second.json().error).toBe('invalid_grant');
    const row = await h.ctx.database.db.selectFrom('oauth_tokens').select('revoked_at').where('token_hash', '=', sha256Hex(access_token)).executeTakeFirstOrThrow();
    expect(row.revoked_at).toBe(h.clock.now());
    const refreshRow = await h.ctx.database.db.selectFrom('oauth_refresh_tokens').select('revoked_at').where('token_hash', '=', sha256Hex(refresh_token)).executeTakeFirstOrThrow();
    expect(refreshRow.revoked_at).not.toBeNull();
    const api = await h.app.inject({ method: 'GET', url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${await h.createProgram(tenant)}`, headers: bearer(access_token) });
    expect(api.statusCode).toBe(401);
    const refreshed = await tokenRequest(h, { grant_type: 'refresh_token', refresh_token }, { authorization: basic(client.client_id, client.client_secret) });
    expect(refreshed.json().error).toBe('invalid_grant');
  });

  it('A8: two concurrent exchanges of one code → exactly one 200, and its tokens end up revoked (database decides)', async () => {
    const { code, verifier } = await codeFor();
    const results = await Promise.all([exchange(code, verifier), exchange(code, verifier), exchange(code, verifier)]);
    const ok = results.filter((r) => r.statusCode === 200);
    expect(ok).toHaveLength(1);
    for (const r of results.filter((x) => x.statusCode !== 200)) expect(r.json().error).toBe('invalid_grant');
    const row = await h.ctx.database.db.selectFrom('oauth_tokens').select('revoked_at').where('token_hash', '=', sha256Hex(ok[0]!.json().access_token)).executeTakeFirstOrThrow();
    expect(row.revoked_at).not.toBeNull();
    const codeRow = await h.ctx.database.db.selectFrom('oauth_codes').select('id').where('code_hash', '=', sha256Hex(code)).executeTakeFirstOrThrow();
    expect(await h.ctx.database.db.selectFrom('oauth_tokens').select('id').where('family_id', '=', codeRow.id).execute()).toHaveLength(1);
  });

  it('A8: codes are bound to the client and expire after at most 60 s', async () => {
    const other = await codeClient(h, tenant.organizationId);
    const stolen = await codeFor();
    const res = await exchange(stolen.code, stolen.verifier, {}, other);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_grant');
    const owner = await exchange(stolen.code, stolen.verifier);
    expect(owner.statusCode, 'a wrong client does not burn the code').toBe(200);

    const late = await codeFor();
    h.clock.advance(60_001);
    try {
      const expired = await exchange(late.code, late.verifier);
      expect(expired.statusCode).toBe(400);
      expect(expired.json().error).toBe('invalid_grant');
    } finally {
      h.clock.advance(-60_001);
    }
  });

  it('state round-trips byte for byte; scope problems are reported to the client with state', async () => {
    const state = 'a b&c=d/é?';
    const pkce = pkcePair();
    const location = await approveViaForms(h, params({ state }, pkce.challenge), { email: adminEmail });
    expect(location.searchParams.get('state')).toBe(state);
    const b = browser(h);
    for (const scope of ['organizations.voucher_programs', 'nope', 'organizations.voucher_programs.aggregator']) {
      const res = await b.get(authorizeUrl(params({ scope })));
      expect(res.statusCode, scope).toBe(302);
      const loc = new URL(res.headers.location as string);
      expect(loc.searchParams.get('error')).toBe('invalid_scope');
      expect(loc.searchParams.get('state')).toBe('st-123');
    }
    const wrongType = await b.get(authorizeUrl(params({ response_type: 'token' })));
    expect(new URL(wrongType.headers.location as string).searchParams.get('error')).toBe('unsupported_response_type');
  });

  it('A5: a code-grant scope is never granted with client_credentials', async () => {
    const res = await tokenRequest(h, { grant_type: 'client_credentials', scope: 'organizations.voucher_programs.delegated' }, { authorization: basic(client.client_id, client.client_secret) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_scope');
  });
});
