import { describe, expect, it } from 'vitest';
import { LOCALES, translate } from '../../console/src/lib/messages.js';

/** docs/console.md: every console string in every locale, with the same placeholders (a type checks keys only at build time). */
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('console messages', () => {
  const [base, ...others] = Object.keys(LOCALES) as (keyof typeof LOCALES)[];

  it('has every key in every locale, none empty', () => {
    const keys = Object.keys(LOCALES[base!]).sort();
    expect(others.length).toBeGreaterThan(0);
    for (const locale of others) expect(Object.keys(LOCALES[locale]).sort()).toEqual(keys);
    for (const locale of [base!, ...others]) {
      for (const [key, text] of Object.entries(LOCALES[locale])) expect(`${locale}.${key}: ${text.trim() === '' ? 'empty' : 'ok'}`).toBe(`${locale}.${key}: ok`);
    }
  });

  it('uses the same placeholders in every locale', () => {
    for (const [key, text] of Object.entries(LOCALES[base!])) {
      for (const locale of others) expect({ key, locale, names: placeholders((LOCALES[locale] as Record<string, string>)[key]!) }).toEqual({ key, locale, names: placeholders(text) });
    }
  });

  it('fills placeholders in French too', () => {
    expect(translate('fr', 'generated_of', { generated: '10 000', requested: '200 000' })).toBe('10 000 codes générés sur 200 000');
  });
});
