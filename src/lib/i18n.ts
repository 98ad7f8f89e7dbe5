import { MESSAGES } from './messages/index.js';

export type Locale = keyof typeof MESSAGES;
export type MessageKey = keyof (typeof MESSAGES)['en_US'];

export const DEFAULT_LOCALE: Locale = 'en_US';
export const LOCALES = Object.keys(MESSAGES) as Locale[];

const BY_LANGUAGE = new Map<string, Locale>(LOCALES.map((l) => [l.slice(0, 2), l]));
const BY_TAG = new Map<string, Locale>(LOCALES.map((l) => [l.toLowerCase(), l]));

/**
 * Picks the best supported locale from an Accept-Language header (RFC 9110 §12.5.4). Uber sends
 * `en_US`; `en-US`, bare languages and q-lists work too. Unknown → en_US.
 */
export function negotiateLocale(header: string | undefined): Locale {
  if (!header) return DEFAULT_LOCALE;
  const candidates = header
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const weight = q ? Number(q.slice(2)) : 1;
      return { tag: tag.trim().replace('-', '_').toLowerCase(), weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((c) => c.tag && c.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  for (const c of candidates) {
    const exact = BY_TAG.get(c.tag) ?? BY_LANGUAGE.get(c.tag.slice(0, 2));
    if (exact) return exact;
  }
  return DEFAULT_LOCALE;
}

/** Wire form of a locale for the Content-Language header (BCP 47: `en-US`). */
export function contentLanguage(locale: Locale): string {
  return locale.replace('_', '-');
}

export function translate(locale: Locale, key: MessageKey, params: Record<string, string | number> = {}): string {
  const template: string = MESSAGES[locale][key] ?? MESSAGES[DEFAULT_LOCALE][key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
