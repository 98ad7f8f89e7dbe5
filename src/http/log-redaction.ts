import type { FastifyRequest } from 'fastify';

/**
 * The access log's view of a request (docs/observability.md): the route pattern (e.g.
 * `/redeem/:code`), never the URL itself — paths carry live voucher codes and queries carry OAuth
 * codes, states and tokens. A request no route matched logs only its first path segment.
 */
export function redactedRequest(req: FastifyRequest): Record<string, unknown> {
  const pattern = req.routeOptions?.url;
  return {
    method: req.method,
    url: pattern ?? unmatchedPath(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

function unmatchedPath(url: string): string {
  const first = /^\/[^/?#]*/.exec(url)?.[0] ?? '/';
  return url.length > first.length ? `${first}/…` : first;
}

/** `AB…` — enough to tell two codes apart in a log, not enough to redeem one. */
export function maskCode(code: string): string {
  return `${code.slice(0, 2)}…`;
}

/** `j…@example.com` for an email, `+1…67` for a phone number. */
export function maskContact(contact: string): string {
  const at = contact.indexOf('@');
  if (at > 0) return `${contact[0]}…${contact.slice(at)}`;
  return `${contact.slice(0, 2)}…${contact.slice(-2)}`;
}
