import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { multiCodeProgram } from '../../helpers/claims.js';
import { signInThroughPages, useConsoleRig } from '../../helpers/console-browser.js';

/**
 * Download CSV end to end (docs/console.md, Downloading codes): the button mints a one-use export
 * link and the browser saves the file itself; the file holds exactly the program's codes.
 */
const rig = useConsoleRig('Delta Rides');

async function signIn(page: Page): Promise<void> {
  await page.goto(`${rig.base}/console/`);
  await signInThroughPages(page, rig.base, rig.adminEmail);
  await page.getByRole('heading', { name: 'Voucher programs' }).waitFor();
}

describe('console Download CSV in a real browser', () => {
  it("saves a file that holds exactly the program's codes, row by row", async () => {
    const { programId } = await multiCodeProgram(rig.h, rig.alpha, 25, { name: 'Airport rides' });
    const context = await rig.browser.newContext({ acceptDownloads: true, locale: 'en-US' });
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
      const codes = await rig.h.ctx.database.db
        .selectFrom('voucher_codes')
        .select(['id', 'code_text', 'created_at'])
        .where('program_id', '=', programId)
        .orderBy('id')
        .execute();
      expect(lines.map((l) => l.split(',').slice(0, 3))).toEqual(codes.map((c) => [c.id, c.code_text, `${rig.base}/redeem/${c.code_text}`]));
      // The link was used up by the download.
      expect(await rig.h.ctx.database.db.selectFrom('code_export_links').select('used_at').where('program_id', '=', programId).execute()).toEqual([
        { used_at: expect.anything() },
      ]);
    } finally {
      await context.close();
    }
  });
});
