/**
 * Retries of the SDK: 409, 429 and 503 are retried when the server says when (Retry-After), 429
 * and 503 also without it (exponential backoff). Bounded in attempts and in each wait. A 409
 * without Retry-After (e.g. a code already redeemed) is an answer, not a transient state.
 */
export interface RetryPolicy {
  /** Retries after the first attempt (default 3). */
  maxRetries: number;
  /** Longest single wait, whatever Retry-After says (default 10 s). */
  maxDelayMs: number;
  /** First backoff without Retry-After (default 250 ms, doubling). */
  baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 3, maxDelayMs: 10_000, baseDelayMs: 250 };

/** Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3), in ms from now; null when absent or invalid. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (header === null) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** How long to wait before retry number `retry` (0-based), or null when the answer is final. */
export function retryDelay(response: Response, retry: number, policy: RetryPolicy, now: number): number | null {
  if (retry >= policy.maxRetries) return null;
  const status = response.status;
  if (status !== 409 && status !== 429 && status !== 503) return null;
  const after = retryAfterMs(response.headers.get('retry-after'), now);
  if (after === null && status === 409) return null;
  const wait = after ?? policy.baseDelayMs * 2 ** retry;
  return Math.min(wait, policy.maxDelayMs);
}
