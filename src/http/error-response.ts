import type { FastifyRequest } from 'fastify';
import type { AppError } from '../lib/errors.js';
import { translate } from '../lib/i18n.js';
import type { OAuthError, OAuthErrorCode } from '../modules/oauth/oauth-error.js';

/**
 * The one place error bodies are made (docs/oauth.md, Errors): what the client gets is public and
 * fixed per error code; the specific reason goes to the request log, with the request id.
 */

/** RFC 6749 §5.2 error_description per code: never the specific reason. */
const OAUTH_PUBLIC_DESCRIPTION: Record<OAuthErrorCode, string> = {
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
};

/** `{error, error_description}` of the OAuth endpoints; the private detail is logged. */
export function oauthErrorBody(request: FastifyRequest, error: OAuthError): { error: OAuthErrorCode; error_description: string } {
  request.log.info({ oauth_error: error.error, detail: error.detail }, 'oauth request refused');
  return { error: error.error, error_description: OAUTH_PUBLIC_DESCRIPTION[error.error] };
}

/** `{code, message, request_id[, metadata]}` of the API (docs/compatibility.md): translated, no internals. */
export function apiErrorBody(request: FastifyRequest, error: AppError, locale = request.locale) {
  return {
    code: error.code,
    message: translate(locale, error.messageKey, error.options.params),
    request_id: request.id,
    ...(error.options.metadata ? { metadata: error.options.metadata } : {}),
  };
}
