import type { IncomingHttpHeaders } from 'node:http';

/**
 * Correlation from the caller (docs/observability.md): an incoming `X-Request-Id` becomes the
 * request id when it is 1–128 characters of [A-Za-z0-9._-] (anything else gets a fresh id, so a
 * client cannot inject text into logs), and a valid W3C `traceparent` puts its trace id into every
 * log line of the request.
 */
const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

export function incomingRequestId(headers: IncomingHttpHeaders): string | undefined {
  const value = headers['x-request-id'];
  return typeof value === 'string' && REQUEST_ID.test(value) ? value : undefined;
}

// version-traceid-parentid-flags; version ff is invalid, all-zero ids are invalid, and version 00
// has nothing after the flags (later versions may append fields).
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

export function traceIdOf(headers: IncomingHttpHeaders): string | undefined {
  const value = headers.traceparent;
  if (typeof value !== 'string') return undefined;
  const match = TRACEPARENT.exec(value.trim());
  if (!match) return undefined;
  const [, version, traceId, parentId, , rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId!) || /^0+$/.test(parentId!)) return undefined;
  return traceId;
}
