import type { MessageKey } from './i18n.js';

/**
 * The closed list of API error kinds (docs/oauth.md): each maps to one HTTP status and one Uber
 * `code` string, in this single table. Routes throw `AppError`; one error handler renders it.
 */
export const ERROR_KINDS = {
  unauthenticated: { status: 401, code: 'unauthorized' },
  insufficient_scope: { status: 403, code: 'unauthorized' },
  forbidden: { status: 403, code: 'unauthorized' },
  user_not_allowed: { status: 403, code: 'user_not_allowed' },
  invalid_request: { status: 400, code: 'invalid_request' },
  unsupported_media_type: { status: 400, code: 'invalid_request' },
  unsupported_charset: { status: 415, code: 'invalid_request' },
  uri_too_long: { status: 414, code: 'invalid_request' },
  payload_too_large: { status: 413, code: 'invalid_request' },
  not_found: { status: 404, code: 'resource_not_found' },
  route_not_found: { status: 404, code: 'resource_not_found' },
  method_not_allowed: { status: 405, code: 'invalid_request' },
  generation_in_progress: { status: 409, code: 'code_generation_in_progress' },
  idempotency_key_reused: { status: 422, code: 'idempotency_key_reused' },
  // Claiming (docs/redemption.md): Uber's codes.
  voucher_program_inactive: { status: 400, code: 'voucher_program_inactive' },
  code_already_redeemed: { status: 409, code: 'code_already_redeemed' },
  redeem_count_exceeded: { status: 400, code: 'redeem_count_exceeded' },
  idempotency_key_in_use: { status: 409, code: 'idempotency_key_in_use' },
  rate_limited: { status: 429, code: 'rate_limited' },
  internal: { status: 500, code: 'internal_server_error' },
  unavailable: { status: 503, code: 'service_unavailable' },
} as const;

export type ErrorKind = keyof typeof ERROR_KINDS;

export interface AppErrorOptions {
  params?: Record<string, string | number>;
  metadata?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** The specific reason: written to the request log with the request id, never sent (src/http/error-response.ts). */
  detail?: string;
}

export class AppError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(
    readonly kind: ErrorKind,
    readonly messageKey: MessageKey,
    readonly options: AppErrorOptions = {},
  ) {
    super(`${kind}: ${messageKey}`);
    this.name = 'AppError';
    this.status = ERROR_KINDS[kind].status;
    this.code = ERROR_KINDS[kind].code;
  }
}

export function invalidRequest(messageKey: MessageKey, params?: Record<string, string | number>, field?: string): AppError {
  return new AppError('invalid_request', messageKey, {
    ...(params ? { params } : {}),
    ...(field ? { metadata: { field } } : {}),
  });
}
