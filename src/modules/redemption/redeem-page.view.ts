/** Server-rendered pages of the redemption link (api.md §5.1 `redemption_link`). Text only, escaped. */
import { contentLanguage, translate, type Locale, type MessageKey } from '../../lib/i18n.js';

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

export function malformedPage(): string {
  return layout(
    'Voucher code not valid',
    `<h1 id="outcome" data-outcome="malformed">This code does not look right</h1><p>Check the link or the code for typos.</p>`,
  );
}

const t = (locale: Locale, key: MessageKey) => escapeHtml(translate(locale, key));

/** Signed out: a link that starts the OAuth sign-in (GET /redeem/{code}/sign-in). */
export function signInPage(locale: Locale, codeText: string): string {
  const code = encodeURIComponent(codeText);
  return layout(
    translate(locale, 'redeem_sign_in_title'),
    `<h1 id="outcome" data-outcome="sign_in">${t(locale, 'redeem_sign_in_title')}</h1>
<p><code>${escapeHtml(codeText)}</code></p>
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
    'Claim your voucher',
    `<h1 id="outcome" data-outcome="ready">Claim your voucher</h1>
<p>Voucher code <code>${escapeHtml(codeText)}</code></p>
<form method="post" action="/redeem/${encodeURIComponent(codeText)}">
<input type="hidden" name="csrf_token" value="${escapeHtml(csrfToken)}">
<button type="submit" id="claim">Claim voucher</button></form>
${signOutForm(locale, codeText, csrfToken)}`,
    locale,
  );
}

export type SignInFailure = 'invalid' | 'expired' | 'denied' | 'failed';

const FAILURE_TEXT: Record<SignInFailure, MessageKey> = {
  invalid: 'redeem_signin_invalid',
  expired: 'redeem_signin_expired',
  denied: 'redeem_signin_denied',
  failed: 'redeem_signin_failed',
};

/** A sign-in that did not complete; offers to start again when the code being claimed is known. */
export function signInFailedPage(locale: Locale, reason: SignInFailure, codeText?: string): string {
  const retry = codeText ? `<p><a id="try-again" href="/redeem/${encodeURIComponent(codeText)}">${t(locale, 'redeem_try_again')}</a></p>` : '';
  return layout(
    translate(locale, 'redeem_signin_error_title'),
    `<h1 id="outcome" data-outcome="sign_in_${reason}">${t(locale, 'redeem_signin_error_title')}</h1>
<p role="alert">${t(locale, FAILURE_TEXT[reason])}</p>${retry}`,
    locale,
  );
}

export type PageOutcome =
  | 'claimed'
  | 'not_found'
  | 'inactive'
  | 'already_redeemed'
  | 'already_claimed'
  | 'exceeded'
  | 'rate_limited'
  | 'forbidden'
  | 'error';

const OUTCOMES: Record<PageOutcome, { title: string; text: string }> = {
  claimed: { title: 'Voucher claimed', text: 'The voucher is now in your account and applies to your next eligible trips.' },
  not_found: { title: 'Voucher not found', text: 'This voucher code does not exist or can no longer be used.' },
  inactive: { title: 'Voucher not active', text: 'This voucher program is not active right now.' },
  already_redeemed: { title: 'Already redeemed', text: 'This voucher code has already been redeemed.' },
  already_claimed: { title: 'Already claimed', text: 'You have already claimed a voucher of this program.' },
  exceeded: { title: 'No redemptions left', text: 'This voucher code has been used the maximum number of times.' },
  rate_limited: { title: 'Too many attempts', text: 'Too many attempts failed. Please try again later.' },
  forbidden: { title: 'Session expired', text: 'The form expired. Open the voucher link again.' },
  error: { title: 'Something went wrong', text: 'We could not claim this voucher. Please try again later.' },
};

export function outcomePage(outcome: PageOutcome, extra = ''): string {
  const { title, text } = OUTCOMES[outcome];
  return layout(title, `<h1 id="outcome" data-outcome="${outcome}">${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>${extra}`);
}
