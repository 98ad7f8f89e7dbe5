import { CORE_MESSAGES } from './core.js';
import { REDEMPTION_MESSAGES } from './redemption.js';
import { PROGRAM_MESSAGES } from './programs.js';
import { WEBHOOK_MESSAGES } from './webhooks.js';
import { OAUTH_MESSAGES } from './oauth.js';
import { REDEEM_PAGE_MESSAGES } from './redeem-page.js';
import { SANDBOX_MESSAGES } from './sandbox.js';

/**
 * All human texts of API errors, per locale (docs/compatibility.md). A module adds a catalog file beside
 * core.ts (same five locales: en_US, fr_FR, de_DE, pt_BR, es_ES) and lists it in CATALOGS below;
 * a unit test checks every locale has every key.
 */
const CATALOGS = [CORE_MESSAGES, OAUTH_MESSAGES, REDEMPTION_MESSAGES, PROGRAM_MESSAGES, WEBHOOK_MESSAGES, REDEEM_PAGE_MESSAGES, SANDBOX_MESSAGES] as const;

type LocaleName = keyof typeof CORE_MESSAGES;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type AllKeys = UnionToIntersection<(typeof CATALOGS)[number]['en_US']>;

function merge(): Record<LocaleName, AllKeys> {
  const merged = {} as Record<LocaleName, Record<string, string>>;
  for (const locale of Object.keys(CORE_MESSAGES) as LocaleName[]) {
    merged[locale] = Object.assign({}, ...CATALOGS.map((c) => c[locale]));
  }
  return merged as Record<LocaleName, AllKeys>;
}

export const MESSAGES = merge();
