import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDEEM_CLIENT_ID } from '../../../src/modules/redemption/redeem-client.js';
import { RIDER_SESSION_COOKIE } from '../../../src/modules/redemption/redeem-page.routes.js';
import { launchBrowser } from '../../helpers/browser.js';
import { freePort } from '../../helpers/processes.js';
import { claimRows, multiCodeProgram } from '../../helpers/claims.js';
import { createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { PASSWORD, rider } from '../../helpers/oauth-flow.js';

/**
 * The redemption link end to end in Debian chromium: signed out → "Sign in to claim" → voucherd's
 * login page → consent → back on /redeem/{code} signed in → Claim → claimed; a second rider in
 * another browser context gets "already redeemed". The issuer/PUBLIC_URL must name the port the
 * app listens on (the redirect URI is exact), so the port is drawn first (freePort binds port 0).
 */
let h: Harness;
let tenant: Tenant;
let browser: Browser;
let base: string;

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  h = await createHarness({ env: { PUBLIC_URL: base, OAUTH_ISSUER: base } });
  await h.app.listen({ port, host: '127.0.0.1' });
  tenant = await h.seedTenant();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** From the signed-out redemption page through login and consent, back to the page signed in. */
async function signInThroughVoucherd(page: Page, code: string, email: string): Promise<void> {
  await page.goto(`${base}/redeem/${code}`);
  expect(await page.locator('#outcome').getAttribute('data-outcome')).toBe('sign_in');
  await Promise.all([page.waitForURL(/\/oauth\/v2\/authorize\?/), page.getByRole('link', { name: 'Sign in to claim' }).click()]);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await Promise.all([page.waitForURL(/\/oauth\/v2\/authorize\?/), page.getByRole('button', { name: 'Sign in' }).click()]);
  await page.getByRole('heading', { name: 'Authorize Voucher redemption page' }).waitFor();
  expect(await page.getByRole('listitem').allTextContents()).toEqual(['Claim vouchers in your name']);
  await Promise.all([page.waitForURL(`${base}/redeem/${code}`), page.getByRole('button', { name: 'Allow' }).click()]);
  expect(await page.locator('#outcome').getAttribute('data-outcome')).toBe('ready');
}

async function riderCookie(context: BrowserContext) {
  return (await context.cookies(`${base}/redeem/x`)).find((c) => c.name === RIDER_SESSION_COOKIE);
}

describe('redemption link sign-in and claim in a real browser', () => {
  it('rider A signs in through voucherd and claims with one click; rider B sees "already redeemed", then signs out', async () => {
    const { programId, codes } = await multiCodeProgram(h, tenant, 1);
    const code = codes[0]!;
    const a = await rider(h);
    const b = await rider(h);

    const contextA = await browser.newContext();
    try {
      const page = await contextA.newPage();
      await signInThroughVoucherd(page, code, a.email);
      const cookie = await riderCookie(contextA);
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/redeem', secure: false });
      // Not readable by the page's scripts.
      expect(await page.evaluate('document.cookie')).not.toContain(RIDER_SESSION_COOKIE);
      // The flow cookie is gone after the callback.
      expect((await contextA.cookies(`${base}/redeem/callback`)).map((c) => c.name)).not.toContain('voucherd_redeem_flow');
      await Promise.all([page.waitForURL(`${base}/redeem/${code}`), page.getByRole('button', { name: 'Claim voucher' }).click()]);
      expect(await page.locator('#outcome').getAttribute('data-outcome')).toBe('claimed');
      expect(await page.locator('h1').textContent()).toBe('Voucher claimed');
    } finally {
      await contextA.close();
    }
    const rows = await claimRows(h, programId);
    expect(rows.vouchers.map((v) => v.user_id)).toEqual([a.userId]);
    expect(rows.redemptions).toBe(1);
    const tokenA = await h.ctx.database.db.selectFrom('oauth_tokens').selectAll().where('user_id', '=', a.userId).executeTakeFirstOrThrow();
    expect(tokenA).toMatchObject({ client_id: REDEEM_CLIENT_ID, grant_type: 'authorization_code', scope: 'vouchers.redeem' });

    const contextB = await browser.newContext();
    try {
      const page = await contextB.newPage();
      await signInThroughVoucherd(page, code, b.email);
      const [response] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Claim voucher' }).click()]);
      expect(response!.status()).toBe(409);
      expect(await page.locator('#outcome').getAttribute('data-outcome')).toBe('already_redeemed');
      expect((await claimRows(h, programId)).vouchers).toHaveLength(1);

      // Sign out: back to the signed-out page, cookie gone, token revoked.
      await page.goto(`${base}/redeem/${code}`);
      await Promise.all([page.waitForURL(`${base}/redeem/${code}`), page.getByRole('button', { name: 'Sign out' }).click()]);
      expect(await page.locator('#outcome').getAttribute('data-outcome')).toBe('sign_in');
      expect(await riderCookie(contextB)).toBeUndefined();
      const tokenB = await h.ctx.database.db.selectFrom('oauth_tokens').selectAll().where('user_id', '=', b.userId).executeTakeFirstOrThrow();
      expect(tokenB.revoked_at).not.toBeNull();
    } finally {
      await contextB.close();
    }
  });

  it('denying consent lands on a friendly page that offers to try again', async () => {
    const { codes } = await multiCodeProgram(h, tenant, 1);
    const code = codes[0]!;
    const r = await rider(h);
    const context = await browser.newContext({ locale: 'es-ES', extraHTTPHeaders: { 'accept-language': 'es-ES' } });
    try {
      const page = await context.newPage();
      await page.goto(`${base}/redeem/${code}`);
      await Promise.all([page.waitForURL(/\/oauth\/v2\/authorize\?/), page.locator('#sign-in').click()]);
      await page.locator('#email').fill(r.email);
      await page.locator('#password').fill(PASSWORD);
      await Promise.all([page.waitForURL(/\/oauth\/v2\/authorize\?/), page.locator('button[type=submit]').click()]);
      const [response] = await Promise.all([page.waitForNavigation({ url: /\/redeem\/callback\?/ }), page.locator('button[value=deny]').click()]);
      expect(response!.status()).toBe(403);
      expect(await page.locator('#outcome').getAttribute('data-outcome')).toBe('sign_in_denied');
      expect(await page.locator('h1').textContent()).toBe('Inicio de sesión no completado');
      expect(await riderCookie(context)).toBeUndefined();
      await Promise.all([page.waitForURL(`${base}/redeem/${code}`), page.getByRole('link', { name: 'Intentar de nuevo' }).click()]);
      expect(await page.locator('#outcome').getAttribute('data-outcome')).toBe('sign_in');
    } finally {
      await context.close();
    }
  });
});
