/**
 * Console codes table on a 1,000,000-code program (bench/README.md, "console codes table"): real
 * Chromium signs in through voucherd's pages, opens the program page and pages through the codes
 * table (50 rows in the DOM, `limit` + `page_token`), measuring per page the API fetch (resource
 * timing) and click → new rows rendered, and while scrolling each page the frame intervals
 * (requestAnimationFrame) and long tasks (PerformanceObserver). Floor, same run, same browser: the
 * same screens on a 5,000-code program. The console has no "jump to the end", so the last pages are
 * fetched over HTTP with the token the console would hold there.
 * Usage: node --import tsx bench/console-scroll.ts [--engines sqlite,postgres] [--codes 1000000] [--pages 50] [--quick]
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createContext } from '../src/context.js';
import { encodePageToken } from '../src/modules/codes/page-token.js';
import { CONSOLE_DIST } from '../src/modules/console/console.routes.js';
import { bootstrap } from '../src/modules/oauth/bootstrap.service.js';
import { launchBrowser } from '../test/helpers/browser.js';
import { signInThroughPages } from '../test/helpers/console-browser.js';
import { PASSWORD } from '../test/helpers/oauth-flow.js';
import { bareInsertCodes, freePort, freshDatabase, header, median, percentile, ROOT, type BenchDatabase, type Engine } from './lib.js';

const { values } = parseArgs({
  options: {
    engines: { type: 'string', default: 'sqlite,postgres' },
    codes: { type: 'string' },
    pages: { type: 'string' },
    quick: { type: 'boolean', default: false },
  },
});
const N = Number(values.codes ?? (values.quick ? 100_000 : 1_000_000));
const PAGES = Number(values.pages ?? (values.quick ? 10 : 50));
const FLOOR_CODES = 5_000;
const ROWS = 'section[aria-labelledby="codes-title"] tbody tr';

if (!existsSync(join(CONSOLE_DIST, 'index.html'))) execFileSync('npm', ['run', 'build:console', '--silent'], { cwd: ROOT, stdio: 'inherit' });

interface Screen {
  fetchMs: number[];
  renderMs: number[];
  frames: number[];
  longTasks: number[];
}

/** rAF intervals, long tasks and /codes fetch durations, collected in the page (through DevTools: the CSP stays strict). */
async function instrument(page: Page): Promise<void> {
  // A string, so the bundler's helpers do not leak into the page.
  await page.evaluate(`(() => {
    const bench = { frames: [], longTasks: [], fetches: [] };
    window.__bench = bench;
    let last = performance.now();
    const tick = (now) => { bench.frames.push(now - last); last = now; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    new PerformanceObserver((list) => list.getEntries().forEach((e) => bench.longTasks.push(e.duration))).observe({ type: 'longtask' });
    new PerformanceObserver((list) => list.getEntries().forEach((e) => {
      if (/\\/codes\\?/.test(e.name)) bench.fetches.push(e.responseEnd - e.startTime);
    })).observe({ type: 'resource' });
  })()`);
}

type Collected = { frames: number[]; longTasks: number[]; fetches: number[] };
const take = (page: Page) =>
  page.evaluate(() => {
    const b = (globalThis as any).__bench as Collected;
    const out = { frames: b.frames.splice(0), longTasks: b.longTasks.splice(0), fetches: b.fetches.splice(0) };
    return out;
  });

const firstCode = (page: Page) => page.locator(ROWS).first().locator('code').innerText();

/** Wheel down and back up over the page in 20 steps, letting frames run: what a user scrolling the table does. */
async function scroll(page: Page): Promise<void> {
  await page.mouse.move(600, 500);
  for (let i = 0; i < 10; i++) {
    await page.mouse.wheel(0, 400);
    await page.waitForTimeout(50);
  }
  for (let i = 0; i < 10; i++) {
    await page.mouse.wheel(0, -400);
    await page.waitForTimeout(50);
  }
}

/** Opens the program, scrolls page 1, clicks Next `pages` times (timing each), scrolls the deep page. */
async function drive(page: Page, name: string, pages: number): Promise<{ first: Screen; deep: Screen }> {
  const back = page.getByRole('link', { name: 'All programs' });
  if ((await back.count()) > 0) await back.click();
  await page.getByRole('heading', { name: 'Voucher programs' }).waitFor();
  await take(page);
  const opened = performance.now();
  await page.getByRole('link', { name }).click();
  await page.locator(ROWS).nth(49).waitFor();
  const openMs = performance.now() - opened;
  await page.waitForTimeout(300);
  const loaded = await take(page);
  await scroll(page);
  const scrolled = await take(page);
  const first: Screen = { fetchMs: loaded.fetches.slice(-1), renderMs: [openMs], frames: scrolled.frames, longTasks: [...loaded.longTasks, ...scrolled.longTasks] };

  const deep: Screen = { fetchMs: [], renderMs: [], frames: [], longTasks: [] };
  for (let i = 0; i < pages; i++) {
    const before = await firstCode(page);
    const clicked = performance.now();
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await page.waitForFunction((prev) => (globalThis as any).document.querySelector('section[aria-labelledby="codes-title"] tbody tr code')?.textContent !== prev, before, { polling: 'raf' });
    deep.renderMs.push(performance.now() - clicked);
  }
  await page.getByText(`Page ${pages + 1}`).waitFor();
  await page.waitForTimeout(300);
  const paged = await take(page);
  deep.fetchMs = paged.fetches;
  deep.longTasks = paged.longTasks;
  await scroll(page);
  const deepScroll = await take(page);
  deep.frames = deepScroll.frames;
  deep.longTasks.push(...deepScroll.longTasks);
  return { first, deep };
}

/** The last `count` pages fetched over HTTP with the keyset token the console would hold there. */
async function lastPages(db: BenchDatabase, url: string, org: string, programId: string, token: string, count: number): Promise<number[]> {
  const ids = await db.database.db
    .selectFrom('voucher_codes')
    .select('id')
    .where('program_id', '=', programId)
    .orderBy('id', 'desc')
    .limit(50 * count + 1)
    .execute();
  const times: number[] = [];
  for (let p = count; p >= 1; p--) {
    const after = ids[50 * p]!.id;
    const started = performance.now();
    const res = await fetch(`${url}/v1/organizations/${org}/voucher-programs/${programId}/codes?limit=50&page_token=${encodePageToken(after)}`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { codes: unknown[] };
    times.push(performance.now() - started);
    if (res.status !== 200 || body.codes.length !== 50) throw new Error(`last page ${p}: ${res.status}`);
  }
  return times;
}

const f = (n: number) => n.toFixed(1);
const summary = (s: Screen) => ({
  fetch: f(median(s.fetchMs)),
  render: f(median(s.renderMs)),
  frameP50: f(median(s.frames)),
  frameP95: f(percentile(s.frames, 95)),
  frameMax: f(Math.max(...s.frames)),
  longTasks: `${s.longTasks.length} (${f(s.longTasks.reduce((a, b) => a + b, 0))} ms)`,
});

const table: string[] = [];
for (const engine of values.engines!.split(',') as Engine[]) {
  header(`console codes table ${engine}: ${N} codes vs ${FLOOR_CODES}, ${PAGES} pages`);
  const db = await freshDatabase(engine);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const ctx = createContext(loadConfig({ DATABASE_URL: db.url, DEMO_BOOTSTRAP: 'false', LOG_LEVEL: 'silent', OAUTH_ISSUER: base, PUBLIC_URL: base }), db.database);
  const app = await buildApp(ctx);
  await app.listen({ port, host: '127.0.0.1' });
  const browser = await launchBrowser();
  try {
    const email = `bench-console-${port}@example.com`;
    const tenant = await bootstrap(ctx, { orgName: 'Bench', adminEmail: email, adminPassword: PASSWORD });
    const tokenRes = await fetch(`${base}/oauth/v2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${tenant.client.client_id}:${tenant.client.client_secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const token = ((await tokenRes.json()) as { access_token: string }).access_token;
    const create = async (name: string, codes: number) => {
      const now = Date.now();
      const res = await fetch(`${base}/v1/organizations/${tenant.organization_id}/voucher-programs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name, currency_code: 'USD', starts_at: now, ends_at: now + 30 * 86_400_000, code_scheme: 'MULTI_CODE_SINGLE_REDEEM', number_of_codes: 1, value_per_trip_max_amount: 20 }),
      });
      const id = ((await res.json()) as { voucher_program_id: string }).voucher_program_id;
      // Setup, not what is measured: the bare insert of bench/lib.ts, then the total it bypassed.
      await bareInsertCodes(db, engine, id, tenant.organization_id, codes - 1);
      await db.database.db.updateTable('voucher_programs').set({ total_number_of_codes: codes }).where('id', '=', id).execute();
      return id;
    };
    const seeded = performance.now();
    const floorId = await create('Floor program', FLOOR_CODES);
    const bigId = await create('Million program', N);
    if (engine === 'postgres') await db.database.pool!.query('analyze voucher_codes');
    process.stdout.write(`seeded ${N + FLOOR_CODES} codes in ${((performance.now() - seeded) / 1000).toFixed(1)} s\n`);

    const context = await browser.newContext({ viewport: { width: 1200, height: 1000 }, locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${base}/console/`);
    await signInThroughPages(page, base, email);
    await page.getByRole('heading', { name: 'Voucher programs' }).waitFor();
    await instrument(page);
    // Floor and measured run alternate twice in the same tab; the second round is reported (warm caches for both).
    let floor = await drive(page, 'Floor program', PAGES);
    let big = await drive(page, 'Million program', PAGES);
    floor = await drive(page, 'Floor program', PAGES);
    big = await drive(page, 'Million program', PAGES);
    const floorLast = await lastPages(db, base, tenant.organization_id, floorId, token, 3);
    const bigLast = await lastPages(db, base, tenant.organization_id, bigId, token, 3);
    await context.close();

    for (const [label, s, fl] of [
      ['first page', big.first, floor.first],
      [`page ${PAGES + 1} (after ${PAGES} × Next)`, big.deep, floor.deep],
    ] as const) {
      const a = summary(s);
      const b = summary(fl);
      process.stdout.write(`${label}: fetch ${a.fetch} ms (floor ${b.fetch}), click→rows ${a.render} ms (floor ${b.render}), frames p50/p95/max ${a.frameP50}/${a.frameP95}/${a.frameMax} ms (floor ${b.frameP50}/${b.frameP95}/${b.frameMax}), long tasks ${a.longTasks} (floor ${b.longTasks})\n`);
      table.push(
        `| ${engine} | ${label} | ${a.fetch} ms | ${b.fetch} ms | ${a.render} ms | ${b.render} ms | ${a.frameP50} / ${a.frameP95} / ${a.frameMax} ms | ${b.frameP50} / ${b.frameP95} / ${b.frameMax} ms | ${a.longTasks} | ${b.longTasks} |`,
      );
    }
    const bl = f(median(bigLast));
    const fl = f(median(floorLast));
    process.stdout.write(`last 3 pages over HTTP: median ${bl} ms (floor ${fl} ms)\n`);
    table.push(`| ${engine} | last 3 pages (HTTP, console's token) | ${bl} ms | ${fl} ms | | | | | | |`);
  } finally {
    await browser.close();
    await app.close();
    await db.drop();
  }
}
process.stdout.write(
  `\n| engine | screen | fetch (${N.toLocaleString('en-US')}) | fetch (floor ${FLOOR_CODES.toLocaleString('en-US')}) | click → rows | floor | frames p50 / p95 / max | floor | long tasks | floor |\n|---|---|---|---|---|---|---|---|---|---|\n${table.join('\n')}\n`,
);
