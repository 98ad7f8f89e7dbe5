import { AppError } from '../lib/errors.js';
import type { MessageKey } from '../lib/i18n.js';

const REALM = 'realm="voucherd"';

/** RFC 6750 §3 challenge; without an error, the bare "sign in with a bearer token". */
export function bearerChallenge(error?: { code: 'invalid_token' | 'insufficient_scope'; description?: string; scope?: string }): string {
  if (!error) return `Bearer ${REALM}`;
  const description = error.description === undefined ? '' : `, error_description="${error.description}"`;
  const scope = error.scope === undefined ? '' : `, scope="${error.scope}"`;
  return `Bearer ${REALM}, error="${error.code}"${description}${scope}`;
}

/** RFC 6749 §5.2 / RFC 7617: the scheme a confidential client authenticates with at the token endpoint. */
export const BASIC_CHALLENGE = `Basic ${REALM}, charset="UTF-8"`;

/** 403 insufficient_scope naming the scopes (space-separated) that would do. */
export function insufficientScope(scope: string, messageKey: MessageKey = 'insufficient_scope'): AppError {
  return new AppError('insufficient_scope', messageKey, { headers: { 'www-authenticate': bearerChallenge({ code: 'insufficient_scope', scope }) } });
}
