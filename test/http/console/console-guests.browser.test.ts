import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../../helpers/axe.js';
import { signInThroughPages, useConsoleRig } from '../../helpers/console-browser.js';

/**
 * The console's Guests screen end to end (docs/console.md, Guests): a pasted list with one bad row
 * gets the API's error next to that row and nothing added; without it the guests are added, then
 * distributed, and the list shows who holds which code. axe-core on the screen, no CSP violation.
 */
const SHOTS = join(process.cwd(), '.scratch', `console-guests-${process.env.TEST_DATABASE_URL?.startsWith('postgres') ? 'postgres' : 'sqlite'}`);

let programId: string;

const rig = useConsoleRig();

beforeAll(async () => {
  programId = await rig.h.createProgram(rig.alpha, { name: 'Team dinner rides', number_of_codes: 10 });
});

describe('console guests', () => {
  it('a pasted list with a bad row shows its error next to it; fixed, the guests are added, distributed and listed with their codes', async () => {
    const context = await rig.browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'en-US' });
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    try {
      const guestsUrl = `${rig.base}/console/orgs/${rig.alpha.organizationId}/programs/${programId}/guests`;
      await page.goto(guestsUrl);
      await signInThroughPages(page, rig.base, rig.adminEmail);
      await page.getByRole('heading', { name: 'Guests of Team dinner rides' }).waitFor();
      expect(page.url()).toBe(guestsUrl);
      await page.getByText('No guest yet.').waitFor();

      // One bad row: the API's error (metadata.field guests[1].email) next to row 2, nothing added.
      await page.getByLabel('Emails or phone numbers, one per line').fill('ana@example.com\nbob@@example\n+1 555 555 0100');
      await page.getByRole('button', { name: 'Add guests', exact: true }).click();
      const bad = page.getByRole('row', { name: /bob@@example/ });
      await expect.poll(() => bad.innerText()).toContain('Guest 1 has an invalid email address.');
      expect(await page.getByRole('row', { name: /ana@example\.com/ }).innerText()).not.toContain('invalid');
      expect(await axeViolations(page)).toEqual([]);
      expect(await rig.h.ctx.database.db.selectFrom('program_guests').selectAll().execute()).toHaveLength(0);

      // Without the bad row: added, not yet distributed.
      await page.getByRole('button', { name: 'Remove row 2' }).click();
      await page.getByRole('button', { name: 'Add guests', exact: true }).click();
      await page.getByText('Added: 2 guests.').waitFor();
      const list = page.locator('section[aria-labelledby="guests-list-title"] tbody tr');
      await expect.poll(() => list.count()).toBe(2);
      expect(await list.filter({ hasText: 'not yet' }).count()).toBe(2);

      // Distribute: both get their code; the list says so.
      await page.getByRole('button', { name: 'Distribute codes to guests not yet notified' }).click();
      await page.getByText('Distributed: 2 codes.').waitFor();
      await expect.poll(() => list.filter({ hasText: 'not yet' }).count()).toBe(0);
      const texts = await list.allInnerTexts();
      expect(texts.some((t) => t.includes('ana@example.com'))).toBe(true);
      expect(texts.some((t) => t.includes('+15555550100'))).toBe(true);
      const codes = await list.locator('code').allInnerTexts();
      expect(new Set(codes).size).toBe(2);
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: join(SHOTS, 'console-guests.png'), fullPage: true });
      const recorded = (await page.evaluate('window.__csp ?? []')) as string[];
      expect([...cspViolations, ...recorded]).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
