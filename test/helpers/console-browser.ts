import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CONSOLE_DIST } from '../../src/modules/console/console.routes.js';
import { freePort, launchChromium } from './chromium.js';
import { createHarness, type Harness, type Tenant } from './harness.js';
import { PASSWORD } from './oauth-flow.js';

export interface ConsoleRig {
  h: Harness;
  base: string;
  browser: Browser;
  alpha: Tenant;
  adminEmail: string;
}

/** voucherd on a real port (issuer = that origin) with one tenant, and Chromium; the console must be built. */
export async function startConsoleRig(tenantName = 'Alpha Rides', env: Record<string, string> = {}): Promise<ConsoleRig> {
  if (!existsSync(join(CONSOLE_DIST, 'index.html'))) throw new Error('The console is not built: run `npm run build:console` (npm test does).');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const h = await createHarness({ env: { OAUTH_ISSUER: base, PUBLIC_URL: base, ...env } });
  await h.app.listen({ port, host: '127.0.0.1' });
  const alpha = await h.seedTenant(tenantName);
  const adminEmail = (await h.ctx.database.db.selectFrom('users').select('email').where('id', '=', alpha.adminUserId).executeTakeFirstOrThrow()).email;
  return { h, base, browser: await launchChromium(), alpha, adminEmail };
}

/** From the console's sign-in screen through voucherd's login and consent pages, back to the console. */
export async function signInThroughPages(page: Page, base: string, email: string): Promise<void> {
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await Promise.all([page.waitForURL(/\/oauth\/v2\/authorize\?/), page.getByRole('button', { name: 'Sign in with voucherd' }).click()]);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await Promise.all([page.waitForURL(/\/oauth\/v2\/authorize\?/), page.getByRole('button', { name: 'Sign in' }).click()]);
  await Promise.all([page.waitForURL(`${base}/console/**`), page.getByRole('button', { name: 'Allow' }).click()]);
}
