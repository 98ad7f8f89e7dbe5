import { describe, expect, it } from 'vitest';
import { signInThroughPages, useConsoleRig } from '../../helpers/console-browser.js';

/**
 * A German browser gets the console in German (docs/console.md, Languages): its own strings, the
 * API's error texts through Accept-Language, and dates formatted for de-DE. Real Chromium, real port.
 */
const rig = useConsoleRig('Delta Fahrten');

describe('console in German', () => {
  it('signs in through German pages, shows German screens, the API answers its errors in German', async () => {
    const context = await rig.browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'de-DE' });
    const page = await context.newPage();
    const languages: string[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(`${rig.base}/v1/`)) languages.push(r.headers()['accept-language'] ?? '');
    });
    try {
      await page.goto(`${rig.base}/console/`);
      await signInThroughPages(page, rig.base, rig.adminEmail, 'de');
      await page.getByRole('heading', { name: 'Gutscheinprogramme' }).waitFor();
      expect(await page.evaluate('document.documentElement.lang')).toBe('de-DE');
      await page.getByRole('tab', { name: 'Aktiv' }).waitFor();

      // The create wizard in German, then the API's 400 in German at its field (back on step 1).
      await page.getByRole('link', { name: 'Neues Programm' }).click();
      await page.getByRole('heading', { name: 'Neues Gutscheinprogramm' }).waitFor();
      await page.getByRole('heading', { name: 'Schritt 1 von 5: Grunddaten' }).waitFor();
      await page.getByLabel('Name', { exact: true }).fill('Messe-Shuttle');
      const currency = page.getByLabel('Währung (ISO 4217)');
      await currency.fill('ZZZ');
      const next = page.getByRole('button', { name: 'Weiter' });
      await next.click();
      await page.getByLabel('Wert pro Fahrt').fill('30');
      await next.click();
      await page.getByRole('heading', { name: 'Schritt 3 von 5: Gebiete' }).waitFor();
      await next.click();
      await page.getByLabel('Anzahl der Codes').fill('5');
      await next.click();
      await page.getByRole('heading', { name: 'Schritt 5 von 5: Prüfen' }).waitFor();
      await page.getByRole('button', { name: 'Programm anlegen' }).click();
      await page.getByRole('heading', { name: 'Schritt 1 von 5: Grunddaten' }).waitFor();
      await expect.poll(() => currency.getAttribute('aria-invalid')).toBe('true');
      const describedBy = await currency.getAttribute('aria-describedby');
      await expect.poll(() => page.locator(`#${describedBy}`).innerText()).toBe('currency_code muss ein ISO-4217-Währungscode sein.');
      expect(languages.length).toBeGreaterThan(0);
      expect(new Set(languages)).toEqual(new Set(['de-DE']));

      // Created: the program page's dates go through Intl with de-DE (day.month.year).
      await currency.fill('EUR');
      for (let i = 0; i < 4; i += 1) await next.click();
      await page.getByRole('button', { name: 'Programm anlegen' }).click();
      await page.getByRole('heading', { name: 'Messe-Shuttle' }).waitFor();
      await expect.poll(() => page.getByText(/ · Eindeutige Codes · /).innerText()).toMatch(/^(Aktiv|Bevorstehend) · Eindeutige Codes · \d{2}\.\d{2}\.\d{4} – \d{2}\.\d{2}\.\d{4}$/);
      await page.getByRole('heading', { name: 'Codes erzeugen' }).waitFor();
    } finally {
      await context.close();
    }
  });
});
