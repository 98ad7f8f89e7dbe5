import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ env: { OAUTH_ISSUER: 'https://auth.vouchers.test' } });
});
afterAll(async () => {
  await h.close();
});

describe('GET /.well-known/oauth-authorization-server (RFC 8414)', () => {
  it('A1: issuer from config exactly; every endpoint, grant types, S256, auth methods', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    const m = res.json();
    expect(m.issuer).toBe('https://auth.vouchers.test');
    expect(m.authorization_endpoint).toBe('https://auth.vouchers.test/oauth/v2/authorize');
    expect(m.token_endpoint).toBe('https://auth.vouchers.test/oauth/v2/token');
    expect(m.revocation_endpoint).toBe('https://auth.vouchers.test/oauth/v2/revoke');
    expect(m.introspection_endpoint).toBe('https://auth.vouchers.test/oauth/v2/introspect');
    expect(m.grant_types_supported).toEqual(['authorization_code', 'client_credentials', 'refresh_token']);
    expect(m.code_challenge_methods_supported).toEqual(['S256']);
    expect(m.response_types_supported).toEqual(['code']);
    expect(m.token_endpoint_auth_methods_supported).toEqual(['client_secret_basic', 'client_secret_post', 'none']);
    expect(m.authorization_response_iss_parameter_supported).toBe(true);
    expect(m.scopes_supported).toEqual(
      expect.arrayContaining(['organizations.voucher_programs', 'organizations.voucher_programs.delegated', 'organizations.voucher_programs.aggregator', 'vouchers.redeem', 'vouchers.trips']),
    );
  });

  it('A1: a forged Host / X-Forwarded-Host / X-Forwarded-Proto changes nothing', async () => {
    const plain = await h.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' });
    const forged = await h.app.inject({
      method: 'GET',
      url: '/.well-known/oauth-authorization-server',
      headers: { host: 'evil.test', 'x-forwarded-host': 'evil.test', 'x-forwarded-proto': 'http', forwarded: 'host=evil.test' },
    });
    expect(forged.statusCode).toBe(200);
    expect(forged.body).toBe(plain.body);
    expect(forged.body).not.toContain('evil');
  });

  it('the issuer also appears in the authorization response (RFC 9207) from config, not Host', async () => {
    const t = await h.seedTenant();
    const { codeClient, approveViaForms, pkcePair, REDIRECT } = await import('../../helpers/oauth-flow.js');
    const client = await codeClient(h, t.organizationId);
    const email = (await h.ctx.database.db.selectFrom('users').select('email').where('id', '=', t.adminUserId).executeTakeFirstOrThrow()).email;
    const location = await approveViaForms(
      h,
      { response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT, scope: 'vouchers.redeem', code_challenge: pkcePair().challenge, code_challenge_method: 'S256' },
      { email },
    );
    expect(location.searchParams.get('iss')).toBe('https://auth.vouchers.test');
    expect(location.searchParams.has('state')).toBe(false);
  });
});
