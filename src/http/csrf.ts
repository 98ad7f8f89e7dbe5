import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../lib/constant-time.js';

/**
 * The one CSRF rule of the HTML forms (docs/oauth.md, "CSRF"): a form's token is
 * HMAC-SHA256(key: a secret the browser holds only in an HttpOnly cookie of its session,
 * message: what the form is for). A cross-site page can neither read the secret nor compute the
 * token; a token shown on one form is worthless on another or in another session.
 */
export function formToken(browserSecret: string, binding: string): string {
  return createHmac('sha256', browserSecret).update(binding).digest('base64url');
}

/** Constant-time check of a submitted token; no secret or no token is always refused. */
export function formTokenValid(browserSecret: string | undefined, binding: string, submitted: unknown): boolean {
  if (!browserSecret || typeof submitted !== 'string' || submitted === '') return false;
  return constantTimeEqual(formToken(browserSecret, binding), submitted);
}
