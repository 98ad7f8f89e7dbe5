import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations } from '../../helpers/axe.js';
import { multiCodeProgram } from '../../helpers/claims.js';
import { signInThroughPages, useConsoleRig } from '../../helpers/console-browser.js';
import { bearer } from '../../helpers/harness.js';

/**
 * The codes table (docs/console.md, Program page): bulk cancel reports the API's per-code failures,
 * and the status, generation and find filters are the API's (GET …/codes?status=&generation_id=&code=).
 */
const rig = useConsoleRig('Echo Rides');

const codesUrl = (programId: string, tail: string) => `/v1/organizations/${rig.alpha.organizationId}/voucher-programs/${programId}/codes${tail}`;
const rowsOf = (page: Page) => page.locator('section[aria-labelledby="codes-title"] tbody tr');
const dbCodes = (programId: string) =>
  rig.h.ctx.database.db.selectFrom('voucher_codes').select(['id', 'code_text', 'canceled_at', 'generation_id']).where('program_id', '=', programId).orderBy('id').execute();

async function openProgram(page: Page, name: string): Promise<void> {
  await page.goto(`${rig.base}/console/`);
  await signInThroughPages(page, rig.base, rig.adminEmail);
  await page.getByRole('heading', { name: 'Voucher programs' }).waitFor();
  await page.getByRole('link', { name }).click();
  await page.getByRole('heading', { name }).waitFor();
}

describe('console codes table in a real browser', () => {
  it('bulk-cancels three codes, one already canceled: one failure named per code, the other two CANCELED', async () => {
    const { programId, codes, codeIds } = await multiCodeProgram(rig.h, rig.alpha, 6, { name: 'Stadium rides' });
    const first = await rig.h.app.inject({ method: 'POST', url: codesUrl(programId, '/cancel'), headers: bearer(rig.alpha.token), payload: { codes: [codeIds[0]] } });
    expect(first.json()).toEqual({ cancelCodeFailures: [] });
    const canceledBefore = (await dbCodes(programId))[0]!.canceled_at;
    expect(canceledBefore).not.toBeNull();

    const context = await rig.browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    try {
      await openProgram(page, 'Stadium rides');
      const rows = rowsOf(page);
      await expect.poll(() => rows.count()).toBe(6);
      for (const text of codes.slice(0, 3)) await page.getByLabel(`Select ${text}`).check();
      await page.getByRole('button', { name: 'Cancel selected codes (3)' }).click();
      await page.getByText('Canceled: 2 of 3.').waitFor();
      const failures = page.locator('.result li');
      expect(await failures.allInnerTexts()).toEqual([`${codes[0]}: already canceled`]);
      for (const text of codes.slice(1, 3)) await expect.poll(() => rows.filter({ hasText: text }).locator('td').nth(2).innerText()).toBe('Canceled');
      for (const text of codes.slice(3)) expect(await rows.filter({ hasText: text }).locator('td').nth(2).innerText()).toBe('Available');
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
    const after = await dbCodes(programId);
    expect(after.map((c) => c.canceled_at !== null)).toEqual([true, true, true, false, false, false]);
    // The code canceled first kept its time: the console's call did not touch it.
    expect(after[0]!.canceled_at).toBe(canceledBefore);
  });

  it('filters by status, generation and code text through the API, beyond the page in view', async () => {
    const { programId, codeIds } = await multiCodeProgram(rig.h, rig.alpha, 60, { name: 'Concert rides' });
    // Canceled codes only on the second page (the table shows 50): a filter of the page could not find them.
    const far = codeIds.slice(52, 55);
    await rig.h.app.inject({ method: 'POST', url: codesUrl(programId, '/cancel'), headers: bearer(rig.alpha.token), payload: { codes: far } });
    const generated = await rig.h.app.inject({ method: 'POST', url: codesUrl(programId, '/generate'), headers: bearer(rig.alpha.token), payload: { number_of_codes: 4 } });
    expect(generated.statusCode).toBe(200);
    const secondGeneration: string = generated.json().generation_id;

    const context = await rig.browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    try {
      await openProgram(page, 'Concert rides');
      const rows = rowsOf(page);
      await expect.poll(() => rows.count()).toBe(50);
      const texts = () => rows.locator('code').allInnerTexts();

      const [statusRequest] = await Promise.all([
        page.waitForRequest((r) => r.url().includes('/codes?') && r.url().includes('status=CANCELED')),
        page.getByLabel('Show codes').selectOption('CANCELED'),
      ]);
      expect(new URL(statusRequest.url()).searchParams.get('status')).toBe('CANCELED');
      const canceled = (await dbCodes(programId)).filter((c) => c.canceled_at !== null).map((c) => c.code_text);
      expect(canceled).toHaveLength(3);
      await expect.poll(texts).toEqual(canceled);
      expect(await axeViolations(page)).toEqual([]);
      await page.getByLabel('Show codes').selectOption('ALL');
      await expect.poll(() => rows.count()).toBe(50);

      // Generations offered are those of the codes seen; the second one shows up once its codes are read.
      await page.getByRole('button', { name: 'Next' }).click();
      await expect.poll(() => rows.count()).toBe(14);
      const generation = page.getByLabel('Generation');
      await expect.poll(() => generation.locator('option').count()).toBe(3);
      const option = generation.locator('option', { hasText: secondGeneration.slice(-8) });
      await generation.selectOption(await option.getAttribute('value'));
      const ofSecond = (await dbCodes(programId)).filter((c) => c.generation_id === secondGeneration).map((c) => c.code_text);
      expect(ofSecond).toHaveLength(4);
      await expect.poll(texts).toEqual(ofSecond);
      await expect.poll(() => page.getByText('Page 1').count()).toBe(1);
      await generation.selectOption('');

      // Find one code by its text, typed in lower case with dashes.
      const target = (await dbCodes(programId))[57]!.code_text;
      await page.getByLabel('Find a code').fill(`${target.slice(0, 4).toLowerCase()}-${target.slice(4).toLowerCase()}`);
      await page.getByRole('button', { name: 'Find', exact: true }).click();
      await expect.poll(texts).toEqual([target]);
      // A text that cannot be a code: the API's 400 is shown at the search box.
      await page.getByLabel('Find a code').fill('not a code');
      await page.getByRole('button', { name: 'Find', exact: true }).click();
      const box = page.getByLabel('Find a code');
      await expect.poll(() => box.getAttribute('aria-invalid')).toBe('true');
      expect(await page.locator('#code-find-error').innerText()).toContain('code');
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
