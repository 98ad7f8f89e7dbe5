import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations } from '../../helpers/axe.js';
import { signInThroughPages, useConsoleRig } from '../../helpers/console-browser.js';
import { bearer } from '../../helpers/harness.js';

/** The Templates screen (docs/console.md, Templates): create, edit, and a program from a template. */
const rig = useConsoleRig('Foxtrot Rides');

const templatesOf = async () =>
  (
    await rig.h.app.inject({ method: 'GET', url: `/v1/organizations/${rig.alpha.organizationId}/voucher-program-templates`, headers: bearer(rig.alpha.token) })
  ).json().voucher_program_templates as Record<string, unknown>[];

async function openTemplates(page: Page): Promise<void> {
  await page.goto(`${rig.base}/console/`);
  await signInThroughPages(page, rig.base, rig.adminEmail);
  await page.getByRole('heading', { name: 'Voucher programs' }).waitFor();
  await page.getByRole('link', { name: 'Templates' }).click();
  await page.getByRole('heading', { name: 'Templates', level: 1 }).waitFor();
}

describe('console Templates in a real browser', () => {
  it('creates a template, edits it, and creates a program from it', async () => {
    const context = await rig.browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    try {
      await openTemplates(page);
      await page.getByText('No template yet.').waitFor();
      expect(await axeViolations(page)).toEqual([]);

      // Create: the shared rules answer before any round trip.
      await page.getByRole('button', { name: 'New template' }).click();
      await page.getByLabel('Template name').fill('Late shift');
      await page.getByLabel('Currency').fill('EU');
      await page.getByRole('button', { name: 'Create template' }).click();
      expect(await page.locator('#e-currency_code').innerText()).toBe('Three letters, e.g. USD.');
      expect(await page.locator('#e-value_per_trip_max_amount').innerText()).toBe('Required.');
      expect(await templatesOf()).toEqual([]);
      await page.getByLabel('Currency').fill('EUR');
      await page.getByLabel('Value per trip').fill('12.5');
      expect(await axeViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Create template' }).click();
      await page.getByText('Template created.').waitFor();
      const [created] = await templatesOf();
      expect(created).toMatchObject({ template_name: 'Late shift', currency_code: 'EUR', value_per_trip_max_amount: 12.5, code_scheme: 'MULTI_CODE_SINGLE_REDEEM' });

      // Edit: a single code with 40 redemptions; an API 400 lands at the field it names.
      await page.getByRole('button', { name: 'Edit Late shift' }).click();
      expect(await page.getByLabel('Template name').inputValue()).toBe('Late shift');
      await page.getByLabel('Template name').fill('Night shift');
      await page.getByLabel('Single code', { exact: true }).check();
      await page.getByLabel('Redemptions of the code').fill('40');
      await page.getByLabel('Currency').fill('ZZZ');
      await page.getByRole('button', { name: 'Save template' }).click();
      await expect.poll(() => page.locator('#e-currency_code').count()).toBe(1);
      expect(await page.getByLabel('Currency').getAttribute('aria-invalid')).toBe('true');
      expect((await templatesOf())[0]).toMatchObject({ template_name: 'Late shift', currency_code: 'EUR' });
      await page.getByLabel('Currency').fill('EUR');
      await page.getByRole('button', { name: 'Save template' }).click();
      await page.getByText('Template saved.').waitFor();
      const [edited] = await templatesOf();
      expect(edited).toMatchObject({ uuid: created!.uuid, template_name: 'Night shift', code_scheme: 'SINGLE_CODE_MULTI_REDEEM', redemptions_per_code: 40, currency_code: 'EUR', value_per_trip_max_amount: 12.5 });

      // A program from it: the API merges the template's presets.
      await page.getByRole('button', { name: 'Create program from Night shift' }).click();
      await page.getByRole('heading', { name: 'New program from Night shift' }).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Create program', exact: true }).click();
      await page.waitForURL(/\/console\/orgs\/[^/]+\/programs\/[^/]+$/);
      const programId = new URL(page.url()).pathname.split('/').pop()!;
      await page.getByRole('heading', { name: 'Night shift' }).waitFor();
      const program = await rig.h.ctx.database.db.selectFrom('voucher_programs').selectAll().where('id', '=', programId).executeTakeFirstOrThrow();
      expect(program).toMatchObject({ organization_id: rig.alpha.organizationId, name: 'Night shift', currency_code: 'EUR', code_scheme: 'SINGLE_CODE_MULTI_REDEEM' });
      const api = (
        await rig.h.app.inject({ method: 'GET', url: `/v1/organizations/${rig.alpha.organizationId}/voucher-programs/${programId}`, headers: bearer(rig.alpha.token) })
      ).json();
      expect(api).toMatchObject({ name: 'Night shift', currency_code: 'EUR', code_scheme: 'SINGLE_CODE_MULTI_REDEEM', value_per_trip_max_amount: 12.5, redemptions_per_code: 40 });
    } finally {
      await context.close();
    }
  });
});
