/** Server-rendered pages of the redemption link (docs/programs.md `redemption_link`). Text only, escaped. */
import { contentLanguage, translate, type Locale, type MessageKey } from '../../lib/i18n.js';
import type { AppError } from '../../lib/errors.js';
import type { ErrorPageTexts } from '../../http/error-page.js';

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function layout(title: string, body: string, locale: Locale = 'en_US'): string {
  return `<!doctype html>
<html lang="${contentLanguage(locale)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#111}
code{font-size:1.2rem;letter-spacing:.1em}button{font-size:1.1rem;padding:.6rem 1.4rem;cursor:pointer}</style>
</head><body><main>${body}</main></body></html>`;
}

const t = (locale: Locale, key: MessageKey) => escapeHtml(translate(locale, key));

/** Signed out: a link that starts the OAuth sign-in (GET /redeem/{code}/sign-in). */
export function signInPage(locale: Locale, codeText: string): string {
  const code = encodeURIComponent(codeText);
  return layout(
    translate(locale, 'redeem_sign_in_title'),
    `<h1 id="outcome" data-outcome="sign_in">${t(locale, 'redeem_sign_in_title')}</h1>
<p>${t(locale, 'redeem_code_label')} <code>${escapeHtml(codeText)}</code></p>
<p>${t(locale, 'redeem_sign_in_text')}</p>
<p><a id="sign-in" href="/redeem/${code}/sign-in">${t(locale, 'redeem_sign_in_button')}</a></p>`,
    locale,
  );
}

function signOutForm(locale: Locale, codeText: string, csrfToken: string): string {
  return `<form method="post" action="/redeem/${encodeURIComponent(codeText)}/sign-out">
<input type="hidden" name="csrf_token" value="${escapeHtml(csrfToken)}">
<button type="submit" id="sign-out">${t(locale, 'redeem_sign_out')}</button></form>`;
}

export function claimPage(codeText: string, csrfToken: string, locale: Locale = 'en_US'): string {
  return layout(
    translate(locale, 'redeem_claim_title'),
    `<h1 id="outcome" data-outcome="ready">${t(locale, 'redeem_claim_title')}</h1>
<p>${t(locale, 'redeem_code_label')} <code>${escapeHtml(codeText)}</code></p>
<form method="post" action="/redeem/${encodeURIComponent(codeText)}">
<input type="hidden" name="csrf_token" value="${escapeHtml(csrfToken)}">
<button type="submit" id="claim">${t(locale, 'redeem_claim_button')}</button></form>
${signOutForm(locale, codeText, csrfToken)}`,
    locale,
  );
}

export type SignInFailure = 'invalid' | 'expired' | 'denied' | 'failed';

/** The public text of each failed sign-in; the error carrying it goes to the one error page (src/http/error-page.ts). */
export const SIGN_IN_FAILURE_TEXT: Record<SignInFailure, MessageKey> = {
  invalid: 'redeem_signin_invalid',
  expired: 'redeem_signin_expired',
  denied: 'redeem_signin_denied',
  failed: 'redeem_signin_failed',
};

export type PageOutcome =
  | 'claimed'
  | 'malformed'
  | 'not_found'
  | 'inactive'
  | 'already_redeemed'
  | 'already_claimed'
  | 'exceeded'
  | 'rate_limited'
  | 'forbidden'
  | `sign_in_${SignInFailure}`
  | 'error';

const OUTCOMES: Record<PageOutcome, { title: MessageKey; text: MessageKey }> = {
  claimed: { title: 'redeem_claimed_title', text: 'redeem_claimed_text' },
  malformed: { title: 'redeem_malformed_title', text: 'redeem_malformed_text' },
  not_found: { title: 'redeem_not_found_title', text: 'redeem_not_found_text' },
  inactive: { title: 'redeem_inactive_title', text: 'redeem_inactive_text' },
  already_redeemed: { title: 'redeem_already_redeemed_title', text: 'redeem_already_redeemed_text' },
  already_claimed: { title: 'redeem_already_claimed_title', text: 'redeem_already_claimed_text' },
  exceeded: { title: 'redeem_exceeded_title', text: 'redeem_exceeded_text' },
  rate_limited: { title: 'redeem_rate_limited_title', text: 'redeem_rate_limited_text' },
  forbidden: { title: 'redeem_forbidden_title', text: 'redeem_forbidden_text' },
  sign_in_invalid: { title: 'redeem_signin_error_title', text: SIGN_IN_FAILURE_TEXT.invalid },
  sign_in_expired: { title: 'redeem_signin_error_title', text: SIGN_IN_FAILURE_TEXT.expired },
  sign_in_denied: { title: 'redeem_signin_error_title', text: SIGN_IN_FAILURE_TEXT.denied },
  sign_in_failed: { title: 'redeem_signin_error_title', text: SIGN_IN_FAILURE_TEXT.failed },
  error: { title: 'redeem_error_title', text: 'redeem_error_text' },
};

export function outcomePage(outcome: PageOutcome, locale: Locale = 'en_US'): string {
  const { title, text } = OUTCOMES[outcome];
  return layout(translate(locale, title), `<h1 id="outcome" data-outcome="${outcome}">${t(locale, title)}</h1><p>${t(locale, text)}</p>`, locale);
}

function signInFailureOf(messageKey: MessageKey): SignInFailure | undefined {
  return (Object.keys(SIGN_IN_FAILURE_TEXT) as SignInFailure[]).find((reason) => SIGN_IN_FAILURE_TEXT[reason] === messageKey);
}

function errorOutcome(error: AppError): PageOutcome {
  const signIn = signInFailureOf(error.messageKey);
  if (signIn) return `sign_in_${signIn}`;
  if (error.messageKey === 'redeem_malformed_text') return 'malformed';
  if (error.messageKey === 'redeem_forbidden_text') return 'forbidden';
  switch (error.kind) {
    case 'not_found':
      return 'not_found';
    case 'voucher_program_inactive':
      return 'inactive';
    case 'code_already_redeemed':
      return error.messageKey === 'program_already_claimed' ? 'already_claimed' : 'already_redeemed';
    case 'redeem_count_exceeded':
      return 'exceeded';
    case 'rate_limited':
      return 'rate_limited';
    default:
      return 'error';
  }
}

/** How the redemption pages word an error on the one error page (src/http/error-page.ts); the status is the error's. */
export const redeemErrorText: ErrorPageTexts = (error) => {
  const outcome = errorOutcome(error);
  return { outcome, ...OUTCOMES[outcome] };
};
