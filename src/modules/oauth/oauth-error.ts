import { BASIC_CHALLENGE } from '../../http/www-authenticate.js';

/**
 * RFC 6749 §5.2 errors of the authorization server, named after their codes. Rendered as
 * `{"error","error_description"}` by src/http/error-response.ts, never as API errors: the
 * description sent is the code's fixed public one, `detail` (the specific reason) is only logged.
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'unsupported_token_type'
  /** docs/compatibility.md rate limits, in the RFC 6749 error shape (no RFC code exists for 429). */
  | 'rate_limited';

const STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  server_error: 500,
  temporarily_unavailable: 503,
  unsupported_token_type: 400,
  rate_limited: 429,
};

export class OAuthError extends Error {
  readonly status: number;
  constructor(
    readonly error: OAuthErrorCode,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${error}: ${detail}`);
    this.name = 'OAuthError';
    this.status = STATUS[error];
  }
}

export function invalidClient(detail = 'Client authentication failed.'): OAuthError {
  // RFC 6749 §5.2: 401 with a WWW-Authenticate challenge for the scheme the client may use.
  return new OAuthError('invalid_client', detail, { 'WWW-Authenticate': BASIC_CHALLENGE });
}

/** RFC 6749 §5.2 invalid_grant: the code, refresh token or PKCE verifier does not hold. */
export function invalidGrant(detail: string): OAuthError {
  return new OAuthError('invalid_grant', detail);
}
