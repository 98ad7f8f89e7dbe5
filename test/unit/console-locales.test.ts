import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { apiLanguage, LOCALES, pickLocale, type Locale } from '../../console/src/lib/messages.js';
import { contentLanguage, LOCALES as API_LOCALES, negotiateLocale } from '../../src/lib/i18n.js';

/**
 * The console speaks exactly the API's languages (docs/console.md, Languages): same set, every key
 * in every locale of every console messages file, the English placeholders in each translation.
 */
const CONSOLE_LOCALES = Object.keys(LOCALES) as Locale[];
const LIB = join(process.cwd(), 'console', 'src', 'lib');
const MESSAGE_FILES = readdirSync(LIB).filter((f) => /^messages-[\w-]+\.ts$/.test(f));

function placeholders(text: string): string[] {
  return [...new Set(text.match(/\{\w+\}/g) ?? [])].sort();
}

/** Every key of `english` is in `other` with a non-empty string holding the same placeholders; nothing else. */
function expectSameKeys(english: Record<string, string>, other: Record<string, unknown>, where: string): void {
  expect(Object.keys(other).sort(), `${where}: keys`).toEqual(Object.keys(english).sort());
  for (const [key, text] of Object.entries(english)) {
    const translated = other[key];
    expect(typeof translated === 'string' && translated.trim() !== '', `${where}.${key} is a non-empty string`).toBe(true);
    expect(placeholders(translated as string), `${where}.${key} placeholders`).toEqual(placeholders(text));
  }
}

describe('console locales', () => {
  it('are the API locales, by language, and each maps to the API tag of that language', () => {
    expect([...CONSOLE_LOCALES].sort()).toEqual(API_LOCALES.map((l) => l.slice(0, 2)).sort());
    for (const locale of CONSOLE_LOCALES) {
      const api = negotiateLocale(apiLanguage(locale));
      expect(api.slice(0, 2), locale).toBe(locale);
      expect(contentLanguage(api), locale).toBe(apiLanguage(locale));
    }
  });

  it('every locale of the merged catalog has every key, non-empty, with the English placeholders', () => {
    for (const locale of CONSOLE_LOCALES) expectSameKeys(LOCALES.en, LOCALES[locale], locale);
  });

  it('every messages file exports one object per locale (xEn, xFr, xDe, …) with every key', async () => {
    expect(MESSAGE_FILES.length).toBeGreaterThanOrEqual(2);
    for (const file of MESSAGE_FILES) {
      const mod = (await import(pathToFileURL(join(LIB, file)).href)) as Record<string, Record<string, string>>;
      const prefixes = Object.keys(mod).filter((name) => name.endsWith('En')).map((name) => name.slice(0, -2));
      expect(prefixes.length, `${file} exports an xEn object`).toBeGreaterThan(0);
      for (const prefix of prefixes) {
        const english = mod[`${prefix}En`] as Record<string, string>;
        for (const locale of CONSOLE_LOCALES) {
          const name = `${prefix}${locale[0]?.toUpperCase()}${locale.slice(1)}`;
          expect(mod[name], `${file} exports ${name}`).toBeTypeOf('object');
          expectSameKeys(english, mod[name] as Record<string, unknown>, `${file} ${name}`);
        }
      }
    }
  });

  it.each([
    [['de-DE', 'en-US'], 'de'],
    [['pt-BR'], 'pt'],
    [['pt-PT', 'en'], 'pt'],
    [['es-419', 'en'], 'es'],
    [['ES'], 'es'],
    [['ja-JP', 'fr-CA', 'de'], 'fr'],
    [['ja-JP', 'zh-Hant'], 'en'],
    [[], 'en'],
    [['toString', 'constructor'], 'en'],
  ] as const)('pickLocale(%j) → %s', (languages, locale) => {
    expect(pickLocale(languages)).toBe(locale);
  });
});
