import type { FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from '../oauth-error.js';
import { NO_STORE_NO_CACHE } from '../../../http/cache-headers.js';
import { oauthErrorBody } from '../../../http/error-response.js';

const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data']);

/**
 * The parameters of a token/revocation/introspection request (RFC 6749 §3.2, §4.1.3): form-encoded
 * (multipart also accepted, docs/oauth.md), every parameter at most once, as text; empty = omitted.
 */
export function readForm(request: FastifyRequest): Record<string, string> {
  const type = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!FORM_TYPES.has(type)) {
    throw new OAuthError('invalid_request', 'The endpoint takes an application/x-www-form-urlencoded (or multipart/form-data) body.');
  }
  const body = (request.body ?? {}) as Record<string, unknown>;
  const form: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value !== 'string') throw new OAuthError('invalid_request', `Parameter ${key} must be sent once, as text.`);
    if (value !== '') form[key] = value;
  }
  return form;
}

/** Errors of the OAuth endpoints in the RFC 6749 §5.2 shape (src/http/error-response.ts); never a stack trace. */
export function oauthErrorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const e = err as { statusCode?: number; code?: string };
  let oauth: OAuthError;
  if (err instanceof OAuthError) oauth = err;
  else if (e.statusCode === 413) oauth = new OAuthError('invalid_request', 'The request body is too large.');
  else if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) {
    oauth = new OAuthError('invalid_request', 'The request could not be parsed.');
  } else {
    request.log.error({ err }, 'authorization server failure');
    oauth = new OAuthError('server_error', 'The authorization server encountered an unexpected condition.');
  }
  // A body over the limit keeps HTTP 413 (docs/guarantees.md) with the RFC 6749 §5.2 error body; a
  // refused multipart part (a file, too many fields) stays a 400 invalid_request.
  void reply
    .status(e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 413 : oauth.status)
    .headers({ ...NO_STORE_NO_CACHE, ...oauth.headers })
    .send(oauthErrorBody(request, oauth));
}
