import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedClient } from '../../../src/modules/oauth/client.service.js';
import { RIDER_SESSION_COOKIE } from '../../../src/modules/redemption/redeem-page.routes.js';
import { claimRows, multiCodeProgram } from '../../helpers/claims.js';
import { createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { createRider, createRiderApp, type Rider } from '../../helpers/riders.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let h: Harness;
let tenant: Tenant;
let riderApp: CreatedClient;
let browser: Browser;
let base: string;

beforeAll(async () => {
  h = await createHarness();
  tenant = await h.seedTenant();
  riderApp = await createRiderApp(h.ctx);
  base = await h.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  await h.close();
});

/**
 * A browser context signed in as the rider: the session cookie the sign-in flow sets, set here directly
 * so these tests isolate the claim page (the real sign-in is redeem-signin.browser.test.ts).
 */
async function signedIn(rider: Rider | null): Promise<BrowserContext> {
  const context = await browser.newContext();
  if (rider) await context.addCookies([{ name: RIDER_SESSION_COOKIE, value: rider.token, url: base, httpOnly: true, sameSite: 'Lax' }]);
  return context;
}

describe('GET/POST /redeem/{code_text} in a real browser (docs/programs.md redemption_link)', () => {
  it('signed out: a sign-in page; headers forbid framing and caching', async () => {
    const { codes } = await multiCodeProgram(h, tenant, 1);
    const context = await signedIn(null);
    const page = await context.newPage();
    const response = await page.goto(`${base}/redeem/${codes[0]}`);
    expect(response!.status()).toBe(200);
    expect(await page.locator('#outcome').getAttribute('data-outcome')).toBe('sign_in');
    const headers = response!.headers();
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['cache-control']).toBe('no-store');
    await context.close();
  });

  it('a typo is caught at once: friendly "does not look right" page', async () => {
    const { codes } = await multiCodeProgram(h, tenant, 1);
    const code = codes[0]!;
    const typo = code.slice(0, 5) + (code[5] === 'A' ? 'B' : 'A') + code.slice(6);
    const context = await signedIn(await createRider(h, riderApp));
    const page = await context.newPage();
    const response = await page.goto(`${base}/redeem/${typo}`);
    expect(response!.status()).toBe(404);
    expect(await page.locator('#outcome').getAttribute('data-outcome')).toBe('malformed');
    await context.close();
  });

  it('signed in: one click claims; the next rider sees "already redeemed"; rows follow', async () => {
    const { programId, codes } = await multiCodeProgram(h, tenant, 1);
    const first = await createRider(h, riderApp);
    const context = await signedIn(first);
    const page = await context.newPage();
    // Lowercase with dashes: the link normalizes like the API.
    const messy = `${codes[0]!.slice(0, 6).toLowerCase()}-${codes[0]!.slice(6)}`;
    await page.goto(`${base}/redeem/${messy}`);
    expect(await page.locator('#outcome').getAttribute('data-outcome')).toBe('ready');
    await Promise.all([page.waitForURL(`${base}/redeem/${codes[0]}`), page.click('#claim')]);
    expect(await page.locator('#outcome').getAttribute('data-outcome')).toBe('claimed');
    expect(await page.locator('h1').textContent()).toBe('Voucher claimed');
    const rows = await claimRows(h, programId);
    expect(rows.vouchers.map((v) => v.user_id)).toEqual([first.userId]);
    await context.close();

    const second = await signedIn(await createRider(h, riderApp));
    const page2 = await second.newPage();
    await page2.goto(`${base}/redeem/${codes[0]}`);
    const [response] = await Promise.all([page2.waitForNavigation(), page2.click('#claim')]);
    expect(response!.status()).toBe(409);
    expect(await page2.locator('#outcome').getAttribute('data-outcome')).toBe('already_redeemed');
    expect((await claimRows(h, programId)).vouchers).toHaveLength(1);
    await second.close();
  });

  it('CSRF: a claim POST without the form token, or with a forged one, is refused and claims nothing', async () => {
    const { programId, codes } = await multiCodeProgram(h, tenant, 1);
    const context = await signedIn(await createRider(h, riderApp));
    for (const form of [{}, { csrf_token: 'f'.repeat(64) }] as Array<Record<string, string>>) {
      const res = await context.request.post(`${base}/redeem/${codes[0]}`, { form });
      expect(res.status()).toBe(403);
      expect(await res.text()).toContain('data-outcome="forbidden"');
    }
    // A cross-site page auto-submitting a form: the Lax cookie is not sent, so no session, no claim.
    const attacker = await context.newPage();
    await attacker.setContent(`<form id="f" method="post" action="${base}/redeem/${codes[0]}"><input name="csrf_token" value="x"></form>`);
    const [nav] = await Promise.all([attacker.waitForNavigation(), attacker.evaluate("document.getElementById('f').submit()")]);
    expect([401, 403]).toContain(nav!.status());
    expect((await claimRows(h, programId)).vouchers).toHaveLength(0);
    await context.close();
  });

  it('cannot be framed by another page', async () => {
    const { codes } = await multiCodeProgram(h, tenant, 1);
    const context = await signedIn(await createRider(h, riderApp));
    const page = await context.newPage();
    // setContent waits for the load event, which includes the frames.
    await page.setContent(`<iframe id="control" src="${base}/healthz"></iframe><iframe id="x" src="${base}/redeem/${codes[0]}"></iframe>`);
    const body = async (selector: string) => {
      const frame = await (await page.$(selector))!.contentFrame();
      return frame ? await frame.evaluate<string>("document.body ? document.body.innerHTML : ''").catch(() => '') : '';
    };
    // Control: a route without frame-ancestors renders inside the frame, so the check below can fail.
    expect(await body('#control')).toContain('"status":"ok"');
    expect(await body('#x')).not.toContain('id="outcome"');
    await context.close();
  });
});
