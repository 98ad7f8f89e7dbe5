import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../helpers/browser.js';
import { createHarness, type Harness } from '../../helpers/harness.js';

let h: Harness;
let browser: Browser;
let base: string;
beforeAll(async () => {
  h = await createHarness();
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  const address = h.app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await h.close();
});

describe('GET /docs in a real browser', () => {
  it('renders the OpenAPI document with the Generate Voucher Codes operation, offline', async () => {
    const page = await browser.newPage();
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    await page.goto(`${base}/docs`);
    await page.getByText('Generate Voucher Codes').first().waitFor({ timeout: 20_000 });
    expect(await page.getByText('/v1/organizations/{organization_id}/voucher-programs/{voucher_program_id}/codes/generate').count()).toBeGreaterThan(0);
    // Everything the page needs is served by voucherd itself (no CDN on a closed network).
    expect(failed).toEqual([]);
    await page.close();
  });
});
