import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent, request, type Dispatcher } from 'undici';
import { checkUrlSyntax, resolveChecked, type Resolver } from './ssrf.js';

export interface OutboundRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface SendResult {
  statusCode: number | null;
  /** The raw Retry-After header, if any (the dispatcher interprets it against its clock). */
  retryAfter: string | null;
  /** At most the configured number of bytes of the response body (never read further). */
  responseExcerpt: string | null;
  error: string | null;
}

/** Sends one webhook attempt. Injectable so tests may fake outbound HTTP (the main tests use a real receiver). */
export type WebhookTransport = (req: OutboundRequest) => Promise<SendResult>;

export interface SenderOptions {
  allowPrivate: boolean;
  timeoutMs: number;
  maxResponseBytes: number;
  /** An undici dispatcher to send through instead of the guarded agent (tests). */
  dispatcher?: Dispatcher;
  resolver?: Resolver;
}

/**
 * DNS lookup for outbound connections that checks every answer and returns only checked
 * addresses, so the socket connects to exactly the address that passed the SSRF guard (no second
 * resolution, no DNS-rebinding window; docs/webhooks.md).
 */
export function guardedLookup(allowPrivate: boolean, resolver?: Resolver): LookupFunction {
  return ((hostname: string, options: { all?: boolean; family?: number }, callback: (...args: unknown[]) => void) => {
    resolveChecked(hostname, allowPrivate, resolver).then((verdict) => {
      if (!verdict.ok) {
        callback(Object.assign(new Error(`refused target: ${verdict.reason}`), { code: 'ERR_WEBHOOK_TARGET_REFUSED' }));
        return;
      }
      const family = options?.family === 4 || options?.family === 6 ? options.family : 0;
      const addresses: LookupAddress[] = verdict.addresses.filter((a) => family === 0 || a.family === family);
      if (addresses.length === 0) {
        callback(Object.assign(new Error(`no address of family ${family} for ${hostname}`), { code: 'ENOTFOUND' }));
        return;
      }
      if (options?.all) callback(null, addresses);
      else callback(null, addresses[0]!.address, addresses[0]!.family);
    }, (err: unknown) => callback(err));
  }) as unknown as LookupFunction;
}

/** Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3), in ms from `now`; null when absent or invalid. */
export function parseRetryAfter(raw: string | null, now: number): number | null {
  if (!raw) return null;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim()) * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

async function readCapped(body: Dispatcher.ResponseData['body'], max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    if (max > 0) {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        const take = Math.min(chunk.length, max - size);
        chunks.push(chunk.subarray(0, take));
        size += take;
        if (size >= max) break;
      }
    }
  } finally {
    // Never read past the cap: dropping the body closes the connection (docs/webhooks.md).
    body.destroy();
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The production transport: undici with redirects never followed, a whole-attempt timeout, the
 * response body read up to a cap, and every connection made through the SSRF-checked lookup.
 */
export function createTransport(options: SenderOptions): { send: WebhookTransport; close(): Promise<void> } {
  const agent =
    options.dispatcher ??
    new Agent({
      connect: { lookup: guardedLookup(options.allowPrivate, options.resolver), timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      keepAliveTimeout: 4_000,
    });
  const send: WebhookTransport = async (req) => {
    // IP-literal hosts never reach the lookup: check them here (odd spellings are canonical by now).
    const syntax = checkUrlSyntax(req.url, options.allowPrivate);
    if (!syntax.ok) return { statusCode: null, retryAfter: null, responseExcerpt: null, error: `refused target: ${syntax.reason}` };
    const signal = AbortSignal.timeout(options.timeoutMs);
    try {
      const res = await request(req.url, {
        method: 'POST',
        headers: req.headers,
        body: req.body,
        dispatcher: agent,
        signal,
        maxRedirections: 0,
      });
      const header = res.headers['retry-after'];
      const retryAfter = (Array.isArray(header) ? header[0] : header) ?? null;
      const responseExcerpt = await readCapped(res.body, options.maxResponseBytes);
      return { statusCode: res.statusCode, retryAfter, responseExcerpt, error: null };
    } catch (err) {
      const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string; message?: string } };
      const timedOut = signal.aborted || e.name === 'TimeoutError' || /Timeout/i.test(e.code ?? '');
      const message = timedOut ? `timeout after ${options.timeoutMs} ms` : (e.cause?.message ?? e.message ?? String(err));
      return { statusCode: null, retryAfter: null, responseExcerpt: null, error: message.slice(0, 500) };
    }
  };
  return { send, close: async () => (options.dispatcher ? undefined : (agent as Agent).close()) };
}
