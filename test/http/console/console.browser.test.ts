import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobRunner } from '../../../src/jobs/runner.js';
import { generationJobsWorker } from '../../../src/modules/codes/generation-job.js';
import { insertMembership } from '../../../src/modules/orgs/org.repository.js';
import { axeViolations } from '../../helpers/axe.js';
import { useConsoleRig } from '../../helpers/console-browser.js';
import { bearer } from '../../helpers/harness.js';
import { PASSWORD } from '../../helpers/oauth-flow.js';

/**
 * The console end to end (docs/console.md): real Chromium against voucherd on a real port, signing
 * in through voucherd's own login and consent pages, then driving the screens; axe-core checks each
 * screen, and no Content-Security-Policy violation may occur anywhere.
 */
const SHOTS = join(process.cwd(), '.scratch', `console-${process.env.TEST_DATABASE_URL?.startsWith('postgres') ? 'postgres' : 'sqlite'}`);

// Above 200 codes a generation is a background job (202), so both paths of the screen run.
const rig = useConsoleRig('Alpha Rides', { INLINE_GENERATION_LIMIT: '200', GENERATION_POLL_MS: '100' });
let jobs: JobRunner;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const { h, alpha } = rig;
  jobs = new JobRunner(h.ctx, h.app.log);
  jobs.add(generationJobsWorker(jobs.holder, 100));
  jobs.start();
  const beta = await h.seedTenant('Beta Rides');
  // The admin of Alpha administers Beta too: the console asks which organization.
  await insertMembership(h.ctx.database.db, { organization_id: beta.organizationId, user_id: alpha.adminUserId, role: 'ADMIN', created_at: h.clock.now() });
  for (const [name, overrides] of [
    ['Airport rides', {}],
    ['Conference shuttle', { number_of_codes: 40 }],
    ['Night shift rides', { code_scheme: 'SINGLE_CODE_MULTI_REDEEM', number_of_codes: undefined, redemptions_per_code: 500 }],
  ] as const) {
    await h.createProgram(alpha, { name, ...overrides });
  }
});

// Runs before the rig's afterAll: the job runner stops while the app is still open.
afterAll(async () => {
  await jobs?.stop();
});

describe('voucherd console in a real browser', () => {
  it('sign in, pick the organization, create a program, generate codes, cancel codes, sign out (token revoked)', async () => {
    const context = await rig.browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'en-US' });
    const page = await context.newPage();
    const cspViolations: string[] = [];
    const consoleErrors: string[] = [];
    await page.addInitScript(`document.addEventListener('securitypolicyviolation', (e) => { (window.__csp ??= []).push(e.violatedDirective + ' ' + e.blockedURI); });`);
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    let tokens: { access_token: string; refresh_token: string } | undefined;
    page.on('response', async (r) => {
      if (r.url() === `${rig.base}/oauth/v2/token` && r.status() === 200) tokens = (await r.json()) as typeof tokens;
    });
    try {
      // Signed out: the sign-in screen; its button goes to voucherd's own login page.
      await page.goto(`${rig.base}/console/`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await Promise.all([page.waitForURL(/\/oauth\/v2\/authorize\?/), page.getByRole('button', { name: 'Sign in with voucherd' }).click()]);
      const authorize = new URL(page.url());
      expect(authorize.searchParams.get('client_id')).toBe('voucherd-console');
      expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
      expect(authorize.searchParams.get('scope')).toBe('organizations.voucher_programs.delegated');
      await page.getByLabel('Email').fill(rig.adminEmail);
      await page.getByLabel('Password').fill(PASSWORD);
      await Promise.all([page.waitForURL(/\/oauth\/v2\/authorize\?/), page.getByRole('button', { name: 'Sign in' }).click()]);
      await Promise.all([page.waitForURL(`${rig.base}/console/**`), page.getByRole('button', { name: 'Allow' }).click()]);

      // Two organizations: the picker; the code is gone from the address bar.
      await page.getByRole('heading', { name: 'Choose an organization' }).waitFor();
      expect(page.url()).toBe(`${rig.base}/console/`);
      expect(tokens?.access_token).toBeTruthy();
      // Tokens live in memory only.
      const stored = (await page.evaluate('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie')) as string;
      expect(stored).not.toContain(tokens!.access_token);
      expect(stored).not.toContain(tokens!.refresh_token);
      expect(await axeViolations(page)).toEqual([]);
      await page.getByLabel('Organization', { exact: true }).selectOption({ label: 'Alpha Rides' });
      await page.getByRole('button', { name: 'Open' }).click();

      // Programs: the active tab lists the seeded programs with their counts.
      await page.getByRole('heading', { name: 'Voucher programs' }).waitFor();
      const conference = page.getByRole('row', { name: /Conference shuttle/ });
      await conference.waitFor();
      await expect.poll(() => conference.getByRole('cell').allInnerTexts()).toEqual([
        'Conference shuttle',
        'Active',
        'Unique codes',
        '40',
        '0',
        '0',
        expect.stringMatching(/^0 \/ (no cap|[\d,.]+) USD$/),
        expect.stringMatching(/2026/),
      ]);
      expect(await page.getByRole('row').count()).toBe(4);
      await page.getByLabel('Search by name').fill('night');
      await expect.poll(() => page.getByRole('row').count()).toBe(2);
      await page.getByRole('row', { name: /Night shift rides/ }).waitFor();
      await page.getByLabel('Search by name').fill('');
      await expect.poll(() => page.getByRole('row').count()).toBe(4);
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: join(SHOTS, 'console-programs.png') });
      // Keyboard: the tabs move with the arrow keys.
      await page.getByRole('tab', { name: 'Active' }).focus();
      await page.keyboard.press('ArrowRight');
      await expect.poll(() => page.getByRole('tab', { name: 'Upcoming' }).getAttribute('aria-selected')).toBe('true');
      await page.getByText('No program here.').waitFor();
      await page.getByRole('tab', { name: 'Active' }).click();

      // Create, a wizard of five steps; the API's 400 opens the step of the field it names
      // (metadata.field) and shows the message next to it.
      await page.getByRole('link', { name: 'New program' }).click();
      await page.getByRole('heading', { name: 'New voucher program' }).waitFor();
      await page.getByRole('heading', { name: 'Step 1 of 5: Basics' }).waitFor();
      await page.getByLabel('Name', { exact: true }).fill('Holiday party rides');
      await page.getByLabel('Currency (ISO 4217)').fill('ZZZ');
      await page.getByLabel(/^Time zone/).selectOption('America/New_York');
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('heading', { name: 'Step 2 of 5: Value' }).waitFor();
      // The step's own rules run before Next: no value yet.
      await page.getByRole('button', { name: 'Next' }).click();
      await expect.poll(() => page.getByLabel('Value per trip').getAttribute('aria-invalid')).toBe('true');
      await page.getByLabel('Value per trip').fill('30');
      await page.getByLabel('Part of the fare').check();
      await page.getByLabel('Share of the fare covered (%)').fill('80');
      await page.getByLabel('Period', { exact: true }).selectOption('DAILY');
      await page.getByLabel('Trips per period (optional)').fill('2');
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('heading', { name: 'Step 3 of 5: Where' }).waitFor();
      await page.getByLabel('Where rides may go').selectOption('PICKUP_ONLY');
      await page.getByRole('button', { name: 'Add an area' }).click();
      const area = page.getByRole('group', { name: 'Area 1' });
      await area.getByLabel('Latitude').fill('40.6413');
      await area.getByLabel('Longitude').fill('-73.7781');
      await area.getByLabel('Radius (m)').fill('2000');
      await area.getByLabel('Address').fill('JFK Airport');
      expect(await axeViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('heading', { name: 'Step 4 of 5: Codes' }).waitFor();
      await page.getByLabel('Number of codes').fill('150');
      // Live guessing odds from the API's own rule: 8 random symbols are too few for 30,000 codes (10 at least).
      await page.getByLabel('Random symbols per code').fill('8');
      await page.getByLabel('Number of codes').fill('30000');
      await expect.poll(() => page.getByTestId('odds').innerText()).toContain('with 30,000 codes use at least 10 random symbols');
      await page.getByLabel('Random symbols per code').fill('12');
      await page.getByLabel('Number of codes').fill('150');
      await expect.poll(() => page.getByTestId('odds').innerText()).toContain('With 150 codes of 12 random symbols');
      // O is not in the code alphabet: the step refuses the prefix before Next.
      await page.getByLabel('Code prefix (optional)').fill('HOL');
      await page.getByRole('button', { name: 'Next' }).click();
      await expect.poll(() => page.getByLabel('Code prefix (optional)').getAttribute('aria-invalid')).toBe('true');
      await page.getByLabel('Code prefix (optional)').fill('HPX');
      expect(await axeViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('heading', { name: 'Step 5 of 5: Review' }).waitFor();
      const review = await page.getByTestId('review').innerText();
      expect(review).toContain('Holiday party rides');
      expect(review).toContain('80% of the fare');
      expect(review).toContain('Pick-up in an area');
      expect(review).toContain('150 unique codes');
      expect(await axeViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Create program' }).click();
      await page.getByRole('heading', { name: 'Step 1 of 5: Basics' }).waitFor();
      const currency = page.getByLabel('Currency (ISO 4217)');
      await expect.poll(() => currency.getAttribute('aria-invalid')).toBe('true');
      const describedBy = await currency.getAttribute('aria-describedby');
      expect(await page.locator(`#${describedBy}`).innerText()).toBe('currency_code must be an ISO 4217 currency code.');
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: join(SHOTS, 'console-create.png') });
      await currency.fill('USD');
      for (let i = 0; i < 4; i += 1) await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('heading', { name: 'Step 5 of 5: Review' }).waitFor();
      await page.getByRole('button', { name: 'Create program' }).click();

      // Program page: counters, then Generate codes as a background job (above 200) to the end.
      await page.getByRole('heading', { name: 'Holiday party rides' }).waitFor();
      // What the wizard sent is what was stored.
      const created = await rig.h.ctx.database.db
        .selectFrom('voucher_programs')
        .select(['id', 'timezone', 'starts_at', 'value_per_trip_percentage', 'value_per_period_max_trips', 'value_recurrence_period', 'trip_restriction_type', 'pickup_locations', 'code_prefix', 'code_length'])
        .where('name', '=', 'Holiday party rides')
        .executeTakeFirstOrThrow();
      expect(created).toMatchObject({ timezone: 'America/New_York', value_recurrence_period: 'DAILY', trip_restriction_type: 'PICKUP_ONLY', code_prefix: 'HPX' });
      expect(Number(created.value_per_trip_percentage)).toBe(80);
      expect(Number(created.value_per_period_max_trips)).toBe(2);
      expect(Number(created.code_length)).toBe(12);
      expect(JSON.parse(created.pickup_locations!)).toEqual([{ latitude: 40.6413, longitude: -73.7781, radius: 2000, address: 'JFK Airport' }]);
      // The start day is read in the program's time zone: midnight in New York.
      const nyMidnight = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hourCycle: 'h23', hour: 'numeric', minute: 'numeric' }).format(Number(created.starts_at));
      expect(nyMidnight).toBe('00:00');
      await expect.poll(() => page.getByTestId('counter-codes').innerText()).toBe('150');
      await page.getByLabel('Number of codes to generate').fill('650');
      await page.getByRole('button', { name: 'Generate' }).click();
      await page.getByText('Generation complete: 650 codes.').waitFor({ timeout: 30_000 });
      expect(await page.locator('#generation-progress').getAttribute('value')).toBe('650');
      expect(await page.locator('#generation-progress').getAttribute('max')).toBe('650');
      await expect.poll(() => page.getByTestId('counter-codes').innerText()).toBe('800');
      const program = new URL(page.url()).pathname.split('/').pop()!;
      const generations = await rig.h.ctx.database.db.selectFrom('code_generations').select(['mode', 'requested', 'status']).where('program_id', '=', program).execute();
      expect(generations).toContainEqual({ mode: 'BACKGROUND', requested: 650, status: 'COMPLETED' });
      // An inline batch (200 at most) finishes in the answer itself.
      await page.getByLabel('Number of codes to generate').fill('200');
      await page.getByRole('button', { name: 'Generate' }).click();
      await expect.poll(() => page.getByTestId('counter-codes').innerText()).toBe('1,000');
      await page.getByText('Generation complete: 200 codes.').waitFor();

      // Codes: cancel two, then those two plus one more: the already-canceled ones are reported.
      const rows = page.locator('section[aria-labelledby="codes-title"] tbody tr');
      await expect.poll(() => rows.count()).toBe(50);
      const texts = await rows.locator('code').allInnerTexts();
      await page.getByLabel(`Select ${texts[0]}`).check();
      await page.getByLabel(`Select ${texts[1]}`).check();
      await page.getByRole('button', { name: 'Cancel selected codes (2)' }).click();
      await page.getByText('Canceled: 2 of 2.').waitFor();
      await expect.poll(() => rows.filter({ hasText: 'Canceled' }).count()).toBe(2);
      await page.getByLabel(`Select ${texts[0]}`).check();
      await page.getByLabel(`Select ${texts[2]}`).check();
      await page.getByRole('button', { name: 'Cancel selected codes (2)' }).click();
      await page.getByText('Canceled: 1 of 2.').waitFor();
      expect(await page.getByRole('listitem').filter({ hasText: texts[0]! }).innerText()).toBe(`${texts[0]}: already canceled`);
      await page.getByLabel('Show codes').selectOption('CANCELED');
      await expect.poll(() => rows.count()).toBe(3);
      await page.getByLabel('Show codes').selectOption('ALL');
      // Paged with page_token.
      await page.getByRole('button', { name: 'Next', exact: true }).click();
      await page.getByText('Page 2').waitFor();
      await expect.poll(async () => (await rows.locator('code').allInnerTexts())[0]).not.toBe(texts[0]);
      expect(await axeViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Previous' }).click();
      await page.getByText('Page 1').waitFor();
      await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
      await page.screenshot({ path: join(SHOTS, 'console-program.png') });

      // Sign out: the token is revoked (the API answers 401), the refresh token too.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByText('You are signed out.').waitFor();
      const after = await rig.h.app.inject({ method: 'GET', url: `/v1/organizations/${rig.alpha.organizationId}/voucher-programs/${program}`, headers: bearer(tokens!.access_token) });
      expect(after.statusCode).toBe(401);
      const refreshed = await fetch(`${rig.base}/oauth/v2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens!.refresh_token, client_id: 'voucherd-console' }),
      });
      expect(refreshed.status).toBe(400);
      expect(((await refreshed.json()) as { error: string }).error).toBe('invalid_grant');

      const recorded = (await page.evaluate('window.__csp ?? []')) as string[];
      expect([...cspViolations, ...recorded]).toEqual([]);
      expect(consoleErrors.filter((e) => !/401|Failed to load resource/.test(e))).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('serves the app under /console with the strict CSP; unknown app paths get index.html, unknown assets 404', async () => {
    const index = await fetch(`${rig.base}/console/orgs/x/programs/y`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = index.headers.get('content-security-policy') ?? '';
    for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(index.headers.get('x-frame-options')).toBe('DENY');
    const html = await index.text();
    // No inline script: every <script> has a local src.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(body!.trim()).toBe('');
      expect(attributes).toMatch(/src="\/console\/assets\//);
    }
    expect(html).not.toMatch(/https?:\/\//);
    const asset = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const js = await fetch(`${rig.base}${asset}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${rig.base}/console/assets/missing.js`)).status).toBe(404);
    const bare = await fetch(`${rig.base}/console`, { redirect: 'manual' });
    expect(bare.status).toBe(302);
    expect(bare.headers.get('location')).toBe('/console/');
  });

  it('the console client is public: no client_credentials, no secret, an exact redirect URI', async () => {
    const row = await rig.h.ctx.database.db.selectFrom('oauth_clients').selectAll().where('client_id', '=', 'voucherd-console').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ token_endpoint_auth_method: 'none', scopes: 'organizations.voucher_programs.delegated', organization_id: null });
    expect(JSON.parse(row.redirect_uris)).toEqual([`${rig.base}/console/callback`]);
    const cc = await fetch(`${rig.base}/oauth/v2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'voucherd-console' }),
    });
    expect(cc.status).toBe(400);
    expect(((await cc.json()) as { error: string }).error).toBe('unauthorized_client');
  });
});
