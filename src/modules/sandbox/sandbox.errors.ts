import type { FastifyReply, FastifyRequest } from 'fastify';
import { toAppError } from '../../http/error-handler.js';
import { contentLanguage, translate } from '../../lib/i18n.js';

/**
 * Uber's sandbox helpers answer with upper-case codes (`BAD_REQUEST`, `FORBIDDEN`, `NOT_FOUND`,
 * `INTERNAL_SERVER_ERROR`), unlike the Vouchers API; the HTTP status decides the code.
 */
const SANDBOX_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'BAD_REQUEST',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

export function sandboxCode(status: number): string {
  return SANDBOX_CODES[status] ?? 'INTERNAL_SERVER_ERROR';
}

/** The sandbox routes' error handler: the API's error pipeline, rendered with Uber's sandbox codes. */
export function sandboxErrorHandler(bodyLimit: number) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply): void => {
    const { error, unexpected } = toAppError(err, bodyLimit);
    if (unexpected) request.log.error({ err }, 'request failed');
    void reply
      .status(error.status)
      .headers(error.options.headers ?? {})
      .header('content-language', contentLanguage(request.locale))
      .send({
        code: sandboxCode(error.status),
        message: translate(request.locale, error.messageKey, error.options.params),
        request_id: request.id,
        ...(error.options.metadata ? { metadata: error.options.metadata } : {}),
      });
  };
}
