import { createServer, type Server } from 'node:http';
import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type CreatedClient } from '../../../src/modules/oauth/client.service.js';
import { launchBrowser } from '../../helpers/browser.js';
import { freePort } from '../../helpers/processes.js';
import { createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { PASSWORD, rider } from '../../helpers/oauth-flow.js';

/**
 * docs/guarantees.md: a generic third-party OAuth library (openid-client 6) discovers voucherd over a
 * real port and completes every flow; the login and consent pages are driven by real headless
 * Chromium. The client's redirect URI is a real loopback server that records what it receives.
 */
let CALLBACK: string;
let callbackServer: Server;
const received: string[] = [];

let h: Harness;
let issuer: string;
let tenant: Tenant;
let app: CreatedClient;
let browser: Browser;
beforeAll(async () => {
  callbackServer = createServer((req, res) => {
    // Only the callback path counts (the browser also asks for /favicon.ico).
    if ((req.url ?? '').startsWith('/oauth/callback')) received.push(new URL(req.url ?? '/', CALLBACK).href);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('client got the code');
  });
  await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
  const address = callbackServer.address();
  CALLBACK = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/oauth/callback`;
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  h = await createHarness({ env: { OAUTH_ISSUER: issuer, PUBLIC_URL: issuer } });
  await h.app.listen({ port, host: '127.0.0.1' });
  tenant = await h.seedTenant();
  app = await createClient(h.ctx, {
    kind: 'FIRST_PARTY',
    organizationId: tenant.organizationId,
    name: 'Interop App',
    scopes: ['organizations.voucher_programs', 'vouchers.redeem'],
    redirectUris: [CALLBACK],
  });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
  await new Promise((resolve) => callbackServer?.close(resolve));
});

async function discover(auth: 'basic' | 'post'): Promise<oidc.Configuration> {
  const clientAuth = auth === 'basic' ? oidc.ClientSecretBasic(app.client_secret) : oidc.ClientSecretPost(app.client_secret);
  return oidc.discovery(new URL(issuer), app.client_id, undefined, clientAuth, { algorithm: 'oauth2', execute: [oidc.allowInsecureRequests] });
}

/** Opens the authorization URL in Chromium, signs in, clicks Allow; returns the URL the client got. */
async function consentInBrowser(url: URL, email: string): Promise<URL> {
  const context = await browser.newContext({ locale: 'en-US' });
  try {
    const page = await context.newPage();
    const seen = received.length;
    await page.goto(url.href);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await Promise.all([page.waitForURL(/\/oauth\/v2\/authorize\?/), page.getByRole('button', { name: 'Sign in' }).click()]);
    await page.getByRole('heading', { name: 'Authorize Interop App' }).waitFor();
    await Promise.all([page.waitForURL(`${CALLBACK}**`), page.getByRole('button', { name: 'Allow' }).click()]);
    expect(await page.textContent('body')).toBe('client got the code');
    expect(received.length).toBe(seen + 1);
    return new URL(received[seen]!);
  } finally {
    await context.close();
  }
}

describe('A12: openid-client interop over a real port with headless Chromium', () => {
  it('discovers the server from the RFC 8414 document', async () => {
    const config = await discover('basic');
    const m = config.serverMetadata();
    expect(m.issuer).toBe(issuer);
    expect(m.token_endpoint).toBe(`${issuer}/oauth/v2/token`);
    expect(m.code_challenge_methods_supported).toEqual(['S256']);
  });

  it('client_credentials with client_secret_basic and with client_secret_post', async () => {
    for (const auth of ['basic', 'post'] as const) {
      const config = await discover(auth);
      const tokens = await oidc.clientCredentialsGrant(config, { scope: 'organizations.voucher_programs' });
      expect(tokens.token_type).toBe('bearer');
      expect(tokens.scope).toBe('organizations.voucher_programs');
      expect(tokens.refresh_token).toBeUndefined();
      const programId = await h.createProgram(tenant);
      const res = await fetch(`${issuer}/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      expect(res.status).toBe(200);
    }
  });

  it('authorization_code + PKCE through the login and consent pages, then refresh, introspection, revocation', async () => {
    const config = await discover('basic');
    const r = await rider(h);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'vouchers.redeem',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const callback = await consentInBrowser(url, r.email);
    expect(callback.searchParams.get('iss')).toBe(issuer);

    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.scope).toBe('vouchers.redeem');
    expect(tokens.refresh_token).toBeDefined();

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);

    const active = await oidc.tokenIntrospection(config, refreshed.access_token);
    expect(active).toMatchObject({ active: true, client_id: app.client_id, scope: 'vouchers.redeem', sub: r.userId });

    await oidc.tokenRevocation(config, refreshed.access_token);
    const inactive = await oidc.tokenIntrospection(config, refreshed.access_token);
    expect(inactive).toEqual({ active: false });

    // Replaying the first refresh token is detected: the library surfaces invalid_grant.
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
