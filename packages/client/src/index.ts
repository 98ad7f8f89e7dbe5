import createClient, { type Client } from 'openapi-fetch';
import type { components, operations, paths } from './generated/openapi.js';
import { DEFAULT_RETRY, retryDelay, type RetryPolicy } from './retry.js';
import { TokenSource, type ClientCredentials } from './tokens.js';

export type { components, operations, paths } from './generated/openapi.js';
export { TokenError, TokenSource } from './tokens.js';
export { DEFAULT_RETRY, retryAfterMs, type RetryPolicy } from './retry.js';

type CodePage = operations['getVoucherCodes']['responses'][200]['content']['application/json'];
export type VoucherCode = CodePage['codes'][number];
export type Guest = components['schemas']['Guest'];

export interface VoucherdClientOptions extends ClientCredentials {
  /** The service's address (PUBLIC_URL), without a trailing slash. */
  baseUrl: string;
  /** Token endpoint; default `${baseUrl}/oauth/v2/token`. */
  tokenUrl?: string;
  retry?: Partial<RetryPolicy>;
  refreshMarginMs?: number;
  /** Idempotency keys for POSTs that do not bring their own (default crypto.randomUUID). */
  idempotencyKey?: () => string;
  fetch?: typeof globalThis.fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface VoucherdClient {
  /** The typed openapi-fetch client: every operation of the document, token and retries included. */
  api: Client<paths>;
  tokens: TokenSource;
  /** Every code of a program, page by page (`limit` codes per request). */
  codes(organizationId: string, programId: string, options?: { limit?: number; includeUsage?: boolean }): AsyncGenerator<VoucherCode>;
  /** Every guest of a program, page by page. */
  guests(organizationId: string, programId: string, options?: { limit?: number }): AsyncGenerator<Guest>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Thrown by the paging helpers when a page is refused. */
export class VoucherdError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    const b = body as { code?: string; message?: string } | undefined;
    super(`voucherd answered ${status}${b?.code ? ` ${b.code}` : ''}${b?.message ? `: ${b.message}` : ''}`);
    this.name = 'VoucherdError';
  }
}

/**
 * The voucherd client: the generated types over openapi-fetch, plus what every caller needs —
 * a cached client-credentials token refreshed before expiry, an Idempotency-Key on every POST
 * (kept across its retries, so a retry executes once), bounded retries on 409/429/503 that honour
 * Retry-After, and async iteration over paged lists.
 */
export function createVoucherdClient(options: VoucherdClientOptions): VoucherdClient {
  const baseFetch = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const newKey = options.idempotencyKey ?? (() => crypto.randomUUID());
  const tokens = new TokenSource({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    ...(options.scope !== undefined ? { scope: options.scope } : {}),
    tokenUrl: options.tokenUrl ?? `${options.baseUrl}/oauth/v2/token`,
    fetch: baseFetch,
    now,
    ...(options.refreshMarginMs !== undefined ? { refreshMarginMs: options.refreshMarginMs } : {}),
  });

  async function send(input: Request): Promise<Response> {
    const request = input.clone();
    if (request.method === 'POST' && !request.headers.has('idempotency-key')) request.headers.set('idempotency-key', newKey());
    let refreshed = false;
    for (let retry = 0; ; retry += 1) {
      const attempt = request.clone();
      const token = await tokens.get();
      attempt.headers.set('authorization', `Bearer ${token}`);
      const response = await baseFetch(attempt);
      if (response.status === 401 && !refreshed) {
        // A token revoked or expired early: one fresh token, then the server's answer stands.
        refreshed = true;
        tokens.invalidate(token);
        await response.body?.cancel();
        retry -= 1;
        continue;
      }
      const delay = retryDelay(response, retry, policy, now());
      if (delay === null) return response;
      await response.body?.cancel();
      await sleep(delay);
    }
  }

  const api = createClient<paths>({ baseUrl: options.baseUrl, fetch: send });

  async function* codes(organizationId: string, programId: string, opts: { limit?: number; includeUsage?: boolean } = {}) {
    let pageToken: string | undefined;
    do {
      const { data, error, response } = await api.GET('/v1/organizations/{organization_id}/voucher-programs/{voucher_program_id}/codes', {
        params: {
          path: { organization_id: organizationId, voucher_program_id: programId },
          query: { limit: opts.limit ?? 1000, ...(pageToken !== undefined ? { page_token: pageToken } : {}), ...(opts.includeUsage ? { include_usage: true } : {}) },
        },
      });
      // A paged request is always answered in JSON (CSV is the unpaged export).
      if (!data || typeof data === 'string') throw new VoucherdError(response.status, error);
      yield* data.codes;
      pageToken = data.next_page_token;
    } while (pageToken !== undefined);
  }

  async function* guests(organizationId: string, programId: string, opts: { limit?: number } = {}) {
    let pageToken: string | undefined;
    do {
      const { data, error, response } = await api.GET('/v1/organizations/{organization_id}/voucher-programs/{voucher_program_id}/guests', {
        params: {
          path: { organization_id: organizationId, voucher_program_id: programId },
          query: { limit: opts.limit ?? 1000, ...(pageToken !== undefined ? { page_token: pageToken } : {}) },
        },
      });
      if (!data) throw new VoucherdError(response.status, error);
      yield* data.guests;
      pageToken = data.next_page_token;
    } while (pageToken !== undefined);
  }

  return { api, tokens, codes, guests };
}
