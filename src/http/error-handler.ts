import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../lib/errors.js';
import { contentLanguage } from '../lib/i18n.js';
import { apiErrorBody } from './error-response.js';
import { validationError } from './validation.js';

// 25006: a write reached a read-only session (a standby after failover); the pool is replaced
// (src/db/replaceable-pool.ts) and the client retries.
const DB_UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '53300', '25006', 'SQLITE_BUSY']);

function isDatabaseUnavailable(err: { code?: string; message?: string }): boolean {
  if (err.code && (DB_UNAVAILABLE_CODES.has(err.code) || err.code.startsWith('08'))) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(err.message ?? '');
}

/** Turns anything thrown into an AppError: ours as they are, Fastify's by code, the rest as 500. */
export function toAppError(err: unknown, bodyLimit: number): { error: AppError; unexpected: boolean } {
  if (err instanceof AppError) return { error: err, unexpected: false };
  const e = err as FastifyError & { validationContext?: string };
  if (e.validation) return { error: validationError(e.validation as never, e.validationContext ?? 'body'), unexpected: false };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { error: new AppError('payload_too_large', 'payload_too_large', { params: { limit: bodyLimit } }), unexpected: false };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { error: new AppError('unsupported_media_type', 'unsupported_media_type'), unexpected: false };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { error: new AppError('invalid_request', 'body_required'), unexpected: false };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { error: new AppError('invalid_request', 'invalid_json'), unexpected: false };
  }
  if (err instanceof SyntaxError || e.statusCode === 400) {
    return { error: new AppError('invalid_request', 'invalid_json'), unexpected: false };
  }
  if (isDatabaseUnavailable(e)) {
    return { error: new AppError('unavailable', 'service_unavailable', { headers: { 'retry-after': '1' } }), unexpected: true };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { error: new AppError('invalid_request', 'invalid_request'), unexpected: false };
  }
  return { error: new AppError('internal', 'internal_server_error'), unexpected: true };
}

/** Renders `{"code","message","request_id"[, "metadata"]}` (docs/compatibility.md). Never a stack trace or SQL. */
export function errorHandler(bodyLimit: number) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply): void => {
    const { error, unexpected } = toAppError(err, bodyLimit);
    if (unexpected) request.log.error({ err }, 'request failed');
    const locale = request.locale;
    void reply
      .status(error.status)
      .headers(error.options.headers ?? {})
      .header('content-language', contentLanguage(locale))
      .send(apiErrorBody(request, error, locale));
  };
}
