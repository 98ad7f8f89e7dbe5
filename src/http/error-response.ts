import type { FastifyRequest } from 'fastify';
import type { AppError } from '../lib/errors.js';
import { translate } from '../lib/i18n.js';
import type { OAuthError, OAuthErrorCode } from '../modules/oauth/oauth-error.js';

/**
 * The one place error bodies are made (docs/oauth.md, Errors): what the client gets is public and
 * fixed per error code; the specific reason goes to the request log, with the request id.
 */

/**
 * The error codes the authorization endpoint sends back to the client's redirect_uri (RFC 6749
 * §4.1.2.1; `login_required` and `consent_required` of OpenID Connect Core §3.1.2.6 for prompt=none).
 */
export type AuthorizeErrorCode =
  | 'invalid_request'
  | 'unauthorized_client'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'login_required'
  | 'consent_required';

/** RFC 6749 error_description per code, of the token endpoint and the authorize redirects alike: never the specific reason. */
const OAUTH_PUBLIC_DESCRIPTION: Record<OAuthErrorCode | AuthorizeErrorCode, string> = {
  invalid_request: 'The request is missing a parameter, repeats one or is otherwise malformed.',
  invalid_client: 'Client authentication failed.',
  invalid_grant: 'The authorization grant or refresh token is invalid, expired, revoked or does not match.',
  unauthorized_client: 'The client is not authorized to use this grant type.',
  unsupported_grant_type: 'The grant type is not supported.',
  invalid_scope: 'The requested scope is invalid, unknown or exceeds what may be granted.',
  server_error: 'The authorization server encountered an unexpected condition.',
  temporarily_unavailable: 'The authorization server is temporarily unavailable.',
  unsupported_token_type: 'The token type is not supported.',
  rate_limited: 'Too many requests; retry later.',
  access_denied: 'The resource owner or the authorization server denied the request.',
  unsupported_response_type: 'The response type is not supported.',
  login_required: 'The user must sign in.',
  consent_required: 'The user must give consent.',
};

/** `{error, error_description}` of the OAuth endpoints; the private detail is logged. */
export function oauthErrorBody(request: FastifyRequest, error: OAuthError): { error: OAuthErrorCode; error_description: string } {
  request.log.info({ oauth_error: error.error, detail: error.detail }, 'oauth request refused');
  return { error: error.error, error_description: OAUTH_PUBLIC_DESCRIPTION[error.error] };
}

/** The `error` and `error_description` an authorize redirect carries (RFC 6749 §4.1.2.1); the private detail is logged. */
export function authorizeRedirectError(request: FastifyRequest, error: AuthorizeErrorCode, detail: string): { error: AuthorizeErrorCode; error_description: string } {
  request.log.info({ oauth_error: error, detail }, 'authorization request refused');
  return { error, error_description: OAUTH_PUBLIC_DESCRIPTION[error] };
}

/** Logs an API or page error's specific reason, when it has one, with the request id (the request logger's reqId). */
export function logErrorDetail(request: FastifyRequest, error: AppError): void {
  if (error.options.detail !== undefined) request.log.info({ error_code: error.code, detail: error.options.detail }, 'request refused');
}

/** `{code, message, request_id[, metadata]}` of the API (docs/compatibility.md): translated, no internals. */
export function apiErrorBody(request: FastifyRequest, error: AppError, locale = request.locale) {
  logErrorDetail(request, error);
  return {
    code: error.code,
    message: translate(locale, error.messageKey, error.options.params),
    request_id: request.id,
    ...(error.options.metadata ? { metadata: error.options.metadata } : {}),
  };
}
