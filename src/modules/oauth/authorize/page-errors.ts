import { AppError } from '../../../lib/errors.js';

/**
 * The errors the sign-in and consent pages raise. Thrown, not rendered: the pages' error handler
 * (src/http/error-page.ts) renders each as the one error page and logs its detail.
 */

/** No trusted client or redirect_uri: answered here, never redirected (RFC 6749 §4.1.2.1). */
export function badClient(detail: string): AppError {
  return new AppError('invalid_request', 'page_bad_client', { detail });
}

/** A consent or revoke link whose parameters do not hold (docs/oauth.md, Organization authorization). */
export function badPageRequest(detail: string): AppError {
  return new AppError('invalid_request', 'page_bad_request', { detail });
}

export function csrfRefused(): AppError {
  return new AppError('forbidden', 'page_csrf', { detail: 'CSRF token missing, expired or bound to another form' });
}

/** The signed-in user may not act for the organization (an aggregator's consent or its removal). */
export function notAdmin(messageKey: 'page_no_admin_org' | 'page_not_admin', detail: string): AppError {
  return new AppError('forbidden', messageKey, { detail });
}
