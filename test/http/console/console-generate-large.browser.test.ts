import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { JobRunner } from '../../../src/jobs/runner.js';
import { generationJobsWorker, runGenerationJob } from '../../../src/modules/codes/generation-job.js';
import { claimBackgroundJob } from '../../../src/modules/codes/generation.repository.js';
import { createProgramInWizard, signInThroughPages, withConsoleRig, type ConsoleRig } from '../../helpers/console-browser.js';

/**
 * Large generations followed in the console's progress bar (docs/console.md, Generate codes): 30,000
 * codes inline with the default limits, then a 200,000-code background job with MAX_CODES_PER_REQUEST
 * raised, seen part way and to the end. Real Chromium, real port, codes counted in the database.
 */
const engine = process.env.TEST_DATABASE_URL?.startsWith('postgres') ? 'postgres' : 'sqlite';
const SHOTS = join(process.cwd(), '.scratch', `console-${engine}`);
const LARGE_TIMEOUT = 5 * 60_000;

beforeAll(() => {
  mkdirSync(SHOTS, { recursive: true });
});

async function signedInPage(r: ConsoleRig): Promise<Page> {
  const context = await r.browser.newContext({ viewport: { width: 1200, height: 1000 }, locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(`${r.base}/console/`);
  await signInThroughPages(page, r.base, r.adminEmail);
  await page.getByRole('heading', { name: 'Voucher programs' }).waitFor();
  return page;
}

/** Records every value the progress bar takes (through the DevTools protocol: the page's CSP stays strict). */
async function recordBar(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = globalThis as unknown as { __bar: { value: number; max: number }[]; document: any; MutationObserver: any };
    w.__bar = [];
    const note = () => {
      const bar = w.document.getElementById('generation-progress');
      if (!bar) return;
      const seen = { value: Number(bar.getAttribute('value')), max: Number(bar.getAttribute('max')) };
      const last = w.__bar[w.__bar.length - 1];
      if (!last || last.value !== seen.value || last.max !== seen.max) w.__bar.push(seen);
    };
    new w.MutationObserver(note).observe(w.document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['value', 'max'] });
  });
}

const barHistory = (page: Page) => page.evaluate(() => (globalThis as unknown as { __bar: { value: number; max: number }[] }).__bar);

/** The bar's recorded values never went down, kept one maximum, and ended full. */
function expectClimbedTo(history: { value: number; max: number }[], total: number): void {
  expect(history.at(-1)).toEqual({ value: total, max: total });
  for (const [i, seen] of history.entries()) {
    expect(seen.max).toBe(total);
    if (i > 0) expect(seen.value).toBeGreaterThanOrEqual(history[i - 1]!.value);
  }
}

/** The bar as assistive technology reads it: Chromium's accessibility tree (valuenow / valuemax). */
async function barAria(page: Page): Promise<{ now: number; max: number; name: string }> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
      nodes: { role?: { value: string }; name?: { value: string }; value?: { value: unknown }; properties?: { name: string; value: { value: unknown } }[] }[];
    };
    const bars = nodes.filter((n) => n.role?.value === 'progressbar');
    expect(bars).toHaveLength(1);
    const bar = bars[0]!;
    const prop = (name: string) => Number(bar.properties?.find((p) => p.name === name)?.value.value);
    return { now: Number(bar.value?.value), max: prop('valuemax'), name: String(bar.name?.value) };
  } finally {
    await cdp.detach();
  }
}

describe('console: large generations followed in the progress bar', () => {
  it(
    '30,000 codes (the default per-request maximum) from the console: the bar ends at 30,000 and the database holds them',
    () =>
      withConsoleRig('Epsilon Rides', {}, async (r) => {
        const page = await signedInPage(r);
        // The wizard: a unique-codes program with the smallest first batch.
        await createProgramInWizard(page, { name: 'Season tickets', valuePerTrip: '15', codes: '1' });
        await expect.poll(() => page.getByTestId('counter-codes').innerText()).toBe('1');
        const programId = new URL(page.url()).pathname.split('/').pop()!;

        await recordBar(page);
        await page.getByLabel('Number of codes to generate').fill('30000');
        await page.getByRole('button', { name: 'Generate' }).click();
        await page.getByText('Generation complete: 30,000 codes.').waitFor({ timeout: LARGE_TIMEOUT });
        expect(await barAria(page)).toEqual({ now: 30_000, max: 30_000, name: 'Code generation' });
        const history = await barHistory(page);
        expect(history.length).toBeGreaterThan(0);
        expectClimbedTo(history, 30_000);
        await expect.poll(() => page.getByTestId('counter-codes').innerText()).toBe('30,001');
        await page.locator('section[aria-labelledby="generate-title"]').screenshot({ path: join(SHOTS, 'console-generate-30000-done.png') });

        const db = r.h.ctx.database.db;
        const generations = await db.selectFrom('code_generations').select(['id', 'mode', 'status', 'requested', 'generated']).where('program_id', '=', programId).where('requested', '=', 30_000).execute();
        expect(generations).toHaveLength(1);
        expect(generations[0]).toMatchObject({ mode: 'INLINE', status: 'COMPLETED' });
        const inBatch = await db.selectFrom('voucher_codes').select((eb) => eb.fn.countAll().as('n')).where('generation_id', '=', generations[0]!.id).executeTakeFirstOrThrow();
        expect(Number(inBatch.n)).toBe(30_000);
        const all = await db.selectFrom('voucher_codes').select((eb) => eb.fn.countAll().as('n')).where('program_id', '=', programId).executeTakeFirstOrThrow();
        expect(Number(all.n)).toBe(30_001);
        await page.context().close();
      }),
    LARGE_TIMEOUT,
  );

  it(
    '200,000 codes as a background job (MAX_CODES_PER_REQUEST raised): the bar is seen part way, then at 200,000, all codes unique',
    () =>
      withConsoleRig('Zeta Rides', { MAX_CODES_PER_REQUEST: '200000' }, async (r) => {
        const programId = await r.h.createProgram(r.alpha, { name: 'Stadium season', number_of_codes: 1 });
        const page = await signedInPage(r);
        await page.getByRole('link', { name: 'Stadium season' }).click();
        await page.getByRole('heading', { name: 'Stadium season' }).waitFor();
        await recordBar(page);
        await page.getByLabel('Number of codes to generate').fill('200000');
        await page.getByRole('button', { name: 'Generate' }).click();

        // Above INLINE_GENERATION_LIMIT (30,000) the answer is 202: a job waits for a worker.
        const db = r.h.ctx.database.db;
        const job = async () => db.selectFrom('code_generations').select(['id', 'mode', 'status', 'generated']).where('program_id', '=', programId).where('requested', '=', 200_000).executeTakeFirst();
        await expect.poll(async () => (await job())?.mode).toBe('BACKGROUND');
        await page.getByText('0 of 200,000 codes generated').waitFor();

        // A worker runs the first chunk, then stops as at a shutdown (docs/programs.md: the job is
        // released, its committed chunk stays): the job stands part way for as long as the test looks.
        const leaseMs = r.h.ctx.config.generationLeaseSeconds * 1000;
        const claimed = await claimBackgroundJob(db, 'test-first-chunk', r.h.clock.now(), leaseMs);
        expect(claimed).toBe((await job())!.id);
        let checks = 0;
        const stopAfterOneChunk = { get aborted() { checks += 1; return checks > 1; } } as AbortSignal;
        expect(await runGenerationJob(r.h.ctx, claimed!, 'test-first-chunk', stopAfterOneChunk)).toBe('STOPPED');
        const partWay = Number((await job())!.generated);
        expect(partWay).toBeGreaterThan(0);
        expect(partWay).toBeLessThan(200_000);

        const shown = `${partWay.toLocaleString('en-US')} of 200,000 codes generated`;
        await page.getByText(shown).waitFor({ timeout: 30_000 });
        expect(await barAria(page)).toEqual({ now: partWay, max: 200_000, name: 'Code generation' });
        await page.locator('section[aria-labelledby="generate-title"]').screenshot({ path: join(SHOTS, 'console-generate-200000-midway.png') });

        // A real worker resumes the job and finishes it; the console follows to the end.
        const jobs = new JobRunner(r.h.ctx, r.h.app.log);
        jobs.add(generationJobsWorker(jobs.holder, 100));
        jobs.start();
        try {
          await page.getByText('Generation complete: 200,000 codes.').waitFor({ timeout: LARGE_TIMEOUT });
          expect(await barAria(page)).toEqual({ now: 200_000, max: 200_000, name: 'Code generation' });
          const history = await barHistory(page);
          expect(history.some((seen) => seen.value > 0 && seen.value < 200_000)).toBe(true);
          expectClimbedTo(history, 200_000);
          await expect.poll(() => page.getByTestId('counter-codes').innerText()).toBe('200,001');
          await page.locator('section[aria-labelledby="generate-title"]').screenshot({ path: join(SHOTS, 'console-generate-200000-done.png') });

          expect(await job()).toMatchObject({ status: 'COMPLETED' });
          expect(Number((await job())!.generated)).toBe(200_000);
          const jobId = (await job())!.id;
          const inJob = await db
            .selectFrom('voucher_codes')
            .select((eb) => [eb.fn.countAll().as('n'), eb.fn.count('code_text').distinct().as('distinct')])
            .where('generation_id', '=', jobId)
            .executeTakeFirstOrThrow();
          expect({ n: Number(inJob.n), distinct: Number(inJob.distinct) }).toEqual({ n: 200_000, distinct: 200_000 });
          const all = await db
            .selectFrom('voucher_codes')
            .select((eb) => [eb.fn.countAll().as('n'), eb.fn.count('code_text').distinct().as('distinct')])
            .where('program_id', '=', programId)
            .executeTakeFirstOrThrow();
          expect({ n: Number(all.n), distinct: Number(all.distinct) }).toEqual({ n: 200_001, distinct: 200_001 });
          await page.context().close();
        } finally {
          await jobs.stop();
        }
      }),
    LARGE_TIMEOUT,
  );
});
