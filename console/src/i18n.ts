import { apiLanguage, pickLocale, translate, type MessageKey } from './lib/messages.js';
import { setApiLanguage } from './api.js';

export const locale = pickLocale(navigator.languages.length > 0 ? navigator.languages : [navigator.language]);
document.documentElement.lang = locale;
setApiLanguage(apiLanguage(locale));

export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return translate(locale, key, params);
}

export function formatDate(ms: number): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(ms);
}

export function formatNumber(n: number): string {
  return new Intl.NumberFormat(locale).format(n);
}
