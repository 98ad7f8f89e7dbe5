import { apiLanguage, pickLocale, translate, type MessageKey } from './lib/messages.js';
import { setApiLanguage } from './api.js';

export const locale = pickLocale(navigator.languages.length > 0 ? navigator.languages : [navigator.language]);
/** One tag for the API, Intl and <html lang>: dates and numbers follow the console's language (pt → pt-BR). */
export const localeTag = apiLanguage(locale);
document.documentElement.lang = localeTag;
setApiLanguage(localeTag);

export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return translate(locale, key, params);
}

export function formatDate(ms: number): string {
  return new Intl.DateTimeFormat(localeTag, { dateStyle: 'medium', timeZone: 'UTC' }).format(ms);
}

export function formatNumber(n: number): string {
  return new Intl.NumberFormat(localeTag).format(n);
}
