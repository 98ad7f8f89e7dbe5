import { describe, expect, it } from 'vitest';
import { LOCALES, negotiateLocale, translate } from '../../src/lib/i18n.js';
import { MESSAGES } from '../../src/lib/messages/index.js';

describe('Accept-Language negotiation (docs/compatibility.md)', () => {
  it.each([
    [undefined, 'en_US'],
    ['en_US', 'en_US'],
    ['en-US', 'en_US'],
    ['fr_FR', 'fr_FR'],
    ['de-DE,de;q=0.9', 'de_DE'],
    ['pt-BR', 'pt_BR'],
    ['es', 'es_ES'],
    ['ja-JP, fr;q=0.5, de;q=0.7', 'de_DE'],
    ['xx-YY', 'en_US'],
    ['fr;q=0, de', 'de_DE'],
  ])('%s → %s', (header, locale) => {
    expect(negotiateLocale(header)).toBe(locale);
  });

  it('has every message in every locale', () => {
    const keys = Object.keys(MESSAGES.en_US).sort();
    expect(LOCALES.length).toBeGreaterThanOrEqual(4);
    for (const locale of LOCALES) expect(Object.keys(MESSAGES[locale]).sort()).toEqual(keys);
  });

  it('fills placeholders', () => {
    expect(translate('en_US', 'field_range', { field: 'n', min: 1, max: 3 })).toBe('Field n must be between 1 and 3.');
  });
});
