import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/lib/secrets.js';
import type { CreatedClient } from '../../../src/modules/oauth/client.service.js';
import { createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { approveViaForms, basic, codeClient, pkcePair, REDIRECT, rider, tokenRequest } from '../../helpers/oauth-flow.js';

let h: Harness;
let tenant: Tenant;
let client: CreatedClient;
beforeAll(async () => {
  h = await createHarness();
  tenant = await h.seedTenant();
  client = await codeClient(h, tenant.organizationId);
});
afterAll(async () => {
  await h.close();
});

async function tokens(scope = 'vouchers.redeem') {
  const r = await rider(h);
  const pkce = pkcePair();
  const location = await approveViaForms(
    h,
    { response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT, scope, state: 's', code_challenge: pkce.challenge, code_challenge_method: 'S256' },
    { email: r.email },
  );
  const res = await tokenRequest(
    h,
    { grant_type: 'authorization_code', code: location.searchParams.get('code')!, redirect_uri: REDIRECT, code_verifier: pkce.verifier },
    { authorization: basic(client.client_id, client.client_secret) },
  );
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { access_token: string; refresh_token: string; scope: string };
}

const refresh = (token: string, extra: Record<string, string> = {}, c: CreatedClient = client) =>
  tokenRequest(h, { grant_type: 'refresh_token', refresh_token: token, ...extra }, { authorization: basic(c.client_id, c.client_secret) });

describe('refresh_token grant (RFC 6749 §6, RFC 9700 §4.14)', () => {
  it('rotates: a new access and refresh token; the old refresh token is marked used', async () => {
    const first = await tokens();
    const res = await refresh(first.refresh_token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600, scope: 'vouchers.redeem', refresh_token: expect.any(String) });
    expect(body.refresh_token).not.toBe(first.refresh_token);
    const old = await h.ctx.database.db.selectFrom('oauth_refresh_tokens').selectAll().where('token_hash', '=', sha256Hex(first.refresh_token)).executeTakeFirstOrThrow();
    const rotated = await h.ctx.database.db.selectFrom('oauth_refresh_tokens').selectAll().where('token_hash', '=', sha256Hex(body.refresh_token)).executeTakeFirstOrThrow();
    expect(old.used_at).toBe(h.clock.now());
    expect(rotated.family_id).toBe(old.family_id);
  });

  it('A9: bound to the client — another client gets invalid_grant and the token keeps working for its owner', async () => {
    const first = await tokens();
    const other = await codeClient(h, tenant.organizationId);
    const res = await refresh(first.refresh_token, {}, other);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_grant');
    expect((await refresh(first.refresh_token)).statusCode).toBe(200);
  });

  it('A9: scope can narrow but never widen', async () => {
    const first = await tokens('vouchers.redeem');
    const wider = await refresh(first.refresh_token, { scope: 'vouchers.redeem organizations.voucher_programs.delegated' });
    expect(wider.statusCode).toBe(400);
    expect(wider.json().error).toBe('invalid_scope');
    const unknown = await refresh(first.refresh_token, { scope: 'organizations.voucher_programs' });
    expect(unknown.json().error).toBe('invalid_scope');
    const same = await refresh(first.refresh_token, { scope: 'vouchers.redeem' });
    expect(same.statusCode).toBe(200);
  });

  it('A9: reuse detection — replaying a rotated refresh token revokes the whole family', async () => {
    const first = await tokens();
    const second = (await refresh(first.refresh_token)).json();
    const replay = await refresh(first.refresh_token);
    expect(replay.statusCode).toBe(400);
    expect(replay.json().error).toBe('invalid_grant');
    const family = await h.ctx.database.db.selectFrom('oauth_refresh_tokens').select(['revoked_at', 'family_id']).where('token_hash', '=', sha256Hex(second.refresh_token)).executeTakeFirstOrThrow();
    expect(family.revoked_at).toBe(h.clock.now());
    const access = await h.ctx.database.db.selectFrom('oauth_tokens').select('revoked_at').where('family_id', '=', family.family_id).execute();
    expect(access.length).toBe(2);
    for (const row of access) expect(row.revoked_at).not.toBeNull();
    const legit = await refresh(second.refresh_token);
    expect(legit.json().error).toBe('invalid_grant');
  });

  it('A9: concurrent refreshes with one token → exactly one succeeds, the others are replays (invalid_grant) that revoke the family', async () => {
    // docs/oauth.md, Refresh: every refresh rotates; presenting a used refresh token again revokes the family.
    const first = await tokens();
    const results = await Promise.all([refresh(first.refresh_token), refresh(first.refresh_token), refresh(first.refresh_token)]);
    const won = results.filter((r) => r.statusCode === 200);
    const lost = results.filter((r) => r.statusCode !== 200);
    expect(won, results.map((r) => `${r.statusCode} ${r.body}`).join('\n')).toHaveLength(1);
    expect(lost.map((r) => [r.statusCode, r.json().error])).toEqual([
      [400, 'invalid_grant'],
      [400, 'invalid_grant'],
    ]);
    const family = await h.ctx.database.db.selectFrom('oauth_refresh_tokens').select(['family_id']).where('token_hash', '=', sha256Hex(first.refresh_token)).executeTakeFirstOrThrow();
    const live = await h.ctx.database.db.selectFrom('oauth_refresh_tokens').select('id').where('family_id', '=', family.family_id).where('revoked_at', 'is', null).execute();
    expect(live).toHaveLength(0);
    // The winner's rotated tokens belong to the family too: both are refused now.
    expect((await refresh(won[0]!.json().refresh_token as string)).json().error).toBe('invalid_grant');
    const winnerAccess = await h.ctx.database.db.selectFrom('oauth_tokens').select('revoked_at').where('token_hash', '=', sha256Hex(won[0]!.json().access_token as string)).executeTakeFirstOrThrow();
    expect(winnerAccess.revoked_at).not.toBeNull();
  });

  it('client_credentials tokens have no refresh token; a garbage or expired refresh token → invalid_grant', async () => {
    const cc = await tokenRequest(h, { grant_type: 'client_credentials' }, { authorization: basic(client.client_id, client.client_secret) });
    expect(cc.json().refresh_token).toBeUndefined();
    expect((await refresh('not-a-refresh-token-at-all')).json().error).toBe('invalid_grant');
    const missing = await tokenRequest(h, { grant_type: 'refresh_token' }, { authorization: basic(client.client_id, client.client_secret) });
    expect(missing.json().error).toBe('invalid_request');
    const first = await tokens();
    const ttl = h.ctx.config.refreshTokenTtlSeconds * 1000 + 1;
    h.clock.advance(ttl);
    try {
      expect((await refresh(first.refresh_token)).json().error).toBe('invalid_grant');
    } finally {
      h.clock.advance(-ttl);
    }
  });
});
