import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../../helpers/axe.js';
import { multiCodeProgram, redeem } from '../../helpers/claims.js';
import { signInThroughPages, useConsoleRig } from '../../helpers/console-browser.js';
import { createRiderApp, createRiders } from '../../helpers/riders.js';

/**
 * The console's program page end to end (docs/console.md): the activity chart and counters follow
 * real claims, Edit program keeps the after-start rules and shows the API's refusal at its field,
 * Cancel program asks first. Real Chromium, real port, axe-core, no CSP violation.
 */
const engine = process.env.TEST_DATABASE_URL?.startsWith('postgres') ? 'postgres' : 'sqlite';
const SHOTS = join(process.cwd(), '.scratch', `console-${engine}`);


const rig = useConsoleRig('Gamma Rides');

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
});

async function signIn(page: Page): Promise<void> {
  await page.goto(`${rig.base}/console/`);
  await signInThroughPages(page, rig.base, rig.adminEmail);
  await page.getByRole('heading', { name: 'Voucher programs' }).waitFor();
}

describe('console program page in a real browser', () => {
  it('chart and counters follow real claims; edit keeps the after-start rules; cancel asks first', async () => {
    const { programId, codes } = await multiCodeProgram(rig.h, rig.alpha, 12, { name: 'Stadium rides', value_per_trip_max_amount: 20 });
    const context = await rig.browser.newContext({ viewport: { width: 1200, height: 1400 }, locale: 'en-US' });
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    try {
      await signIn(page);
      // Tokens live in memory: move inside the app, never reload.
      const open = async () => {
        await page.getByRole('link', { name: 'Stadium rides' }).click();
        await page.getByRole('heading', { name: 'Stadium rides' }).waitFor();
      };
      await open();
      const claimsChart = page.getByTestId('chart-claims');
      await claimsChart.waitFor();
      expect(await claimsChart.locator('rect').count()).toBe(0);
      expect(await page.locator('#chart-claims-desc').textContent()).toMatch(/^Claims per (hour|day), .* total 0, highest 0\.$/);

      // Three riders (tokens from the real sign-in, consent and code exchange) claim three codes
      // through the redeem endpoint: the counters and the chart move.
      const riders = await createRiders(rig.h, await createRiderApp(rig.h.ctx), 3);
      for (const [i, rider] of riders.entries()) expect((await redeem(rig.h, rider.token, codes[i]!)).statusCode).toBe(200);
      await page.getByRole('link', { name: 'All programs' }).click();
      await open();
      await page.getByTestId('chart-claims').waitFor();
      await expect.poll(() => page.locator('#chart-claims-desc').textContent()).toMatch(/total 3, highest 3\.$/);
      expect(await page.getByTestId('chart-claims').locator('rect').count()).toBe(1);
      expect(await page.getByRole('definition').nth(1).innerText()).toBe('3');
      // The table alternative lists the busy bucket.
      await page.getByText('Activity as a table').click();
      await expect.poll(() => page.getByTestId('activity-table').locator('tbody tr td').first().innerText()).toBe('3');
      expect(await axeViolations(page)).toEqual([]);
      mkdirSync(join(process.cwd(), 'docs', 'images'), { recursive: true });
      await page.screenshot({ path: join(engine === 'sqlite' ? join(process.cwd(), 'docs', 'images') : SHOTS, 'console-program-chart.png'), fullPage: true });

      // The QR code of a code's redemption link is drawn locally (no CSP violation, no other origin).
      await page.getByRole('button', { name: `QR code of ${codes[5]}` }).click();
      const qr = page.getByRole('dialog', { name: `QR code of ${codes[5]}` });
      await qr.getByText(`${rig.base}/redeem/${codes[5]}`).waitFor();
      await expect.poll(() => qr.getByTestId('qr-canvas').evaluate((c) => (c as unknown as { width: number }).width)).toBeGreaterThan(100);
      expect(await axeViolations(page)).toEqual([]);
      await qr.getByRole('button', { name: 'Close' }).click();

      // Edit after the start: a lower amount is refused at its field before any request…
      await page.getByRole('button', { name: 'Edit program' }).click();
      const dialog = page.getByRole('dialog', { name: 'Edit program' });
      await dialog.waitFor();
      await dialog.getByText('This program has started').waitFor();
      expect(await dialog.getByLabel('Starts on').isDisabled()).toBe(true);
      const amount = dialog.getByLabel('Value per trip');
      await amount.fill('10');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => amount.getAttribute('aria-invalid')).toBe('true');
      expect(await page.locator(`#${await amount.getAttribute('aria-describedby')}`).innerText()).toBe('After the start this can only rise.');
      expect(await axeViolations(page)).toEqual([]);
      // …a higher one is saved.
      await amount.fill('25');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => dialog.isVisible()).toBe(false);
      await expect
        .poll(async () => (await rig.h.ctx.database.db.selectFrom('voucher_programs').select('value_per_trip_max_amount').where('id', '=', programId).executeTakeFirstOrThrow()).value_per_trip_max_amount)
        .toBe(2500); // minor units

      // Cancel program: "Keep it" changes nothing, "Yes" cancels.
      await page.getByRole('button', { name: 'Cancel program' }).click();
      const confirm = page.getByRole('alertdialog');
      await confirm.getByText('Cancel “Stadium rides”?').waitFor();
      await confirm.getByRole('button', { name: 'Keep it' }).click();
      expect((await rig.h.ctx.database.db.selectFrom('voucher_programs').select('canceled_at').where('id', '=', programId).executeTakeFirstOrThrow()).canceled_at).toBeNull();
      await page.getByRole('button', { name: 'Cancel program' }).click();
      await confirm.getByRole('button', { name: 'Yes, cancel the program' }).click();
      await page.getByText(/^Canceled ·/).waitFor();
      expect((await rig.h.ctx.database.db.selectFrom('voucher_programs').select('canceled_at').where('id', '=', programId).executeTakeFirstOrThrow()).canceled_at).not.toBeNull();
      expect(await page.getByRole('button', { name: 'Edit program' }).count()).toBe(0);
      expect(cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
