import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { apiLanguage, translate as consoleText, type Locale } from '../../console/src/lib/messages.js';
import { negotiateLocale, translate as apiText } from '../../src/lib/i18n.js';
import { CONSOLE_DIST } from '../../src/modules/console/console.routes.js';
import { launchBrowser } from './browser.js';
import { freePort } from './processes.js';
import { createHarness, type Harness, type Tenant } from './harness.js';
import { PASSWORD } from './oauth-flow.js';

export interface ConsoleRig {
  h: Harness;
  base: string;
  browser: Browser;
  alpha: Tenant;
  adminEmail: string;
}

/** voucherd on a real port (issuer = that origin) with one tenant, and Chromium; the console must be built. `env` adds configuration. */
export async function startConsoleRig(tenantName = 'Alpha Rides', env: Record<string, string> = {}): Promise<ConsoleRig> {
  if (!existsSync(join(CONSOLE_DIST, 'index.html'))) throw new Error('The console is not built: run `npm run build:console` (npm test does).');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const h = await createHarness({ env: { ...env, OAUTH_ISSUER: base, PUBLIC_URL: base } });
  await h.app.listen({ port, host: '127.0.0.1' });
  const alpha = await h.seedTenant(tenantName);
  const adminEmail = (await h.ctx.database.db.selectFrom('users').select('email').where('id', '=', alpha.adminUserId).executeTakeFirstOrThrow()).email;
  return { h, base, browser: await launchBrowser(), alpha, adminEmail };
}

/** Closes what startConsoleRig opened: the browser, then the app. */
export async function closeConsoleRig(rig: Partial<ConsoleRig>): Promise<void> {
  await rig.browser?.close();
  await rig.h?.close();
}

/** A console rig for one test case: started, handed to `run`, closed whatever `run` does. */
export async function withConsoleRig<T>(tenantName: string | undefined, env: Record<string, string> | undefined, run: (rig: ConsoleRig) => Promise<T>): Promise<T> {
  const rig = await startConsoleRig(tenantName, env);
  try {
    return await run(rig);
  } finally {
    await closeConsoleRig(rig);
  }
}

/**
 * One console rig for the whole test file: started in beforeAll, closed (browser, then app) in
 * afterAll. Read its fields inside hooks and tests, once beforeAll has filled them. A file's own
 * beforeAll/afterAll registered after this call run after the rig starts and before it closes
 * (vitest runs after-hooks in reverse order of registration).
 */
export function useConsoleRig(tenantName?: string, env?: Record<string, string>): ConsoleRig {
  const rig = {} as ConsoleRig;
  beforeAll(async () => {
    Object.assign(rig, await startConsoleRig(tenantName, env));
  });
  afterAll(async () => {
    await closeConsoleRig(rig);
  });
  return rig;
}

/**
 * From the console's sign-in screen through voucherd's login and consent pages, back to the console.
 * `locale` is the browser context's language: the console and voucherd's pages answer in it.
 */
export async function signInThroughPages(page: Page, base: string, email: string, locale: Locale = 'en'): Promise<void> {
  const api = negotiateLocale(apiLanguage(locale));
  await page.getByRole('heading', { name: consoleText(locale, 'sign_in_title') }).waitFor();
  await Promise.all([page.waitForURL(/\/oauth\/v2\/authorize\?/), page.getByRole('button', { name: consoleText(locale, 'sign_in') }).click()]);
  await page.getByLabel(apiText(api, 'page_email')).fill(email);
  await page.getByLabel(apiText(api, 'page_password')).fill(PASSWORD);
  await Promise.all([page.waitForURL(/\/oauth\/v2\/authorize\?/), page.getByRole('button', { name: apiText(api, 'page_sign_in') }).click()]);
  await Promise.all([page.waitForURL(`${base}/console/**`), page.getByRole('button', { name: apiText(api, 'page_approve') }).click()]);
}

/**
 * Walks the create-program wizard (English) for a unique-codes program with the defaults of every
 * optional step, and waits for the new program's page.
 */
export async function createProgramInWizard(page: Page, program: { name: string; valuePerTrip: string; codes: string }): Promise<void> {
  await page.getByRole('link', { name: 'New program' }).click();
  await page.getByRole('heading', { name: 'Step 1 of 5: Basics' }).waitFor();
  await page.getByLabel('Name', { exact: true }).fill(program.name);
  const next = page.getByRole('button', { name: 'Next', exact: true });
  await next.click();
  await page.getByLabel('Value per trip').fill(program.valuePerTrip);
  await next.click();
  await page.getByRole('heading', { name: 'Step 3 of 5: Where' }).waitFor();
  await next.click();
  await page.getByLabel('Number of codes').fill(program.codes);
  await next.click();
  await page.getByRole('heading', { name: 'Step 5 of 5: Review' }).waitFor();
  await page.getByRole('button', { name: 'Create program' }).click();
  await page.getByRole('heading', { name: program.name }).waitFor();
}
