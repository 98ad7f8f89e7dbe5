import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { Config } from '../config.js';

/**
 * Node's own slow-client bounds (docs/limits.md, Connections), for `http.createServer`: the whole
 * request (headers and body) and its headers must arrive in time, else 408 and the socket closes.
 * These bound receiving the request only: a long streamed answer is not cut. Node checks them
 * every `connectionsCheckingInterval` (30 s by default — too coarse for a 10 s headers timeout).
 */
export function slowClientOptions(config: Config): ServerOptions {
  return {
    requestTimeout: config.requestTimeoutMs,
    headersTimeout: config.headersTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(config.headersTimeoutMs / 4))),
  };
}

const REFUSED_BODY = JSON.stringify({ code: 'rate_limited', message: 'Too many open connections from this address.' });
const REFUSED = [
  'HTTP/1.1 429 Too Many Requests',
  'Content-Type: application/json; charset=utf-8',
  `Content-Length: ${Buffer.byteLength(REFUSED_BODY)}`,
  'Retry-After: 1',
  'Connection: close',
  '',
  REFUSED_BODY,
].join('\r\n');

/**
 * Which socket peers are proxies TRUST_PROXY names: with a hop count every peer is, with a list the
 * listed addresses and CIDRs are. The list is parsed once, not per connection.
 */
export function trustedProxyMatcher(trust: Config['trustProxy']): (address: string) => boolean {
  if (trust === false) return () => false;
  if (typeof trust === 'number') return () => trust > 0;
  const ranges = trust.map((entry): [ipaddr.IPv4 | ipaddr.IPv6, number] => {
    if (entry.includes('/')) return ipaddr.parseCIDR(entry);
    const single = ipaddr.process(entry);
    return [single, single.kind() === 'ipv4' ? 32 : 128];
  });
  return (address) => {
    if (!ipaddr.isValid(address)) return false;
    const parsed = ipaddr.process(address);
    return ranges.some((range) => parsed.kind() === range[0].kind() && parsed.match(range));
  };
}

/**
 * At most `max` open connections per remote address (the socket's peer). One more is answered 429
 * and closed before any of its bytes are read. A trusted proxy is exempt: it carries many clients'
 * connections, and their own addresses are limited by the per-address budgets instead.
 */
export function limitConnectionsPerAddress(server: Server, max: number, trust: Config['trustProxy'] = false): void {
  const open = new Map<string, number>();
  const isTrustedProxy = trustedProxyMatcher(trust);
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    if (isTrustedProxy(address)) return;
    const n = open.get(address) ?? 0;
    if (n >= max) {
      socket.end(REFUSED);
      socket.destroySoon();
      return;
    }
    open.set(address, n + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
