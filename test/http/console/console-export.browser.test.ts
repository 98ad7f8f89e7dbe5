import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_DIST } from '../../../src/modules/console/console.routes.js';
import { multiCodeProgram } from '../../helpers/claims.js';
import { freePort, launchChromium } from '../../helpers/chromium.js';
import { createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { PASSWORD } from '../../helpers/oauth-flow.js';

/**
 * Download CSV end to end (docs/console.md, Downloading codes): the button mints a one-use export
 * link and the browser saves the file itself; the file holds exactly the program's codes.
 */
let h: Harness;
let base: string;
let browser: Browser;
let tenant: Tenant;
let adminEmail: string;

beforeAll(async () => {
  if (!existsSync(join(CONSOLE_DIST, 'index.html'))) throw new Error('The console is not built: run `npm run build:console` (npm test does).');
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  h = await createHarness({ env: { OAUTH_ISSUER: base, PUBLIC_URL: base } });
  await h.app.listen({ port, host: '127.0.0.1' });
  tenant = await h.seedTenant('Delta Rides');
  adminEmail = (await h.ctx.database.db.selectFrom('users').select('email').where('id', '=', tenant.adminUserId).executeTakeFirstOrThrow()).email;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function signIn(page: Page): Promise<void> {
  await page.goto(`${base}/console/`);
  await Promise.all([page.waitForURL(/\/oauth\/v2\/authorize\?/), page.getByRole('button', { name: 'Sign in with voucherd' }).click()]);
  await page.getByLabel('Email').fill(adminEmail);
  await page.getByLabel('Password').fill(PASSWORD);
  await Promise.all([page.waitForURL(/\/oauth\/v2\/authorize\?/), page.getByRole('button', { name: 'Sign in' }).click()]);
  await Promise.all([page.waitForURL(`${base}/console/**`), page.getByRole('button', { name: 'Allow' }).click()]);
  await page.getByRole('heading', { name: 'Voucher programs' }).waitFor();
}

describe('console Download CSV in a real browser', () => {
  it("saves a file that holds exactly the program's codes, row by row", async () => {
    const { programId } = await multiCodeProgram(h, tenant, 25, { name: 'Airport rides' });
    const context = await browser.newContext({ acceptDownloads: true, locale: 'en-US' });
    const page = await context.newPage();
    try {
      await signIn(page);
      await page.getByRole('link', { name: 'Airport rides' }).click();
      await page.getByRole('heading', { name: 'Airport rides' }).waitFor();
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
      expect(download.suggestedFilename()).toBe('Airport-rides-codes.csv');
      const file = await download.path();
      const lines = readFileSync(file, 'utf8').split('\r\n');
      expect(lines.pop()).toBe('');
      expect(lines.shift()).toBe('code_id,code_text,redemption_link,max_num_redemptions,status,created_at,canceled_at,generation_id');
      const codes = await h.ctx.database.db
        .selectFrom('voucher_codes')
        .select(['id', 'code_text', 'created_at'])
        .where('program_id', '=', programId)
        .orderBy('id')
        .execute();
      expect(lines.map((l) => l.split(',').slice(0, 3))).toEqual(codes.map((c) => [c.id, c.code_text, `${base}/redeem/${c.code_text}`]));
      // The link was used up by the download.
      expect(await h.ctx.database.db.selectFrom('code_export_links').select('used_at').where('program_id', '=', programId).execute()).toEqual([
        { used_at: expect.anything() },
      ]);
    } finally {
      await context.close();
    }
  });
});
