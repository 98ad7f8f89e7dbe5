import type { FastifyRequest } from 'fastify';

/**
 * Paths whose last segment is a credential (a one-use export token): their log lines carry the
 * route pattern, never the value (docs/observability.md).
 */
const CREDENTIAL_PATHS = ['/v1/code-exports/'];

/** The URL a log line may show: the route pattern for credential-bearing paths, else the URL. */
export function loggableUrl(request: Pick<FastifyRequest, 'url'> & { routeOptions?: { url?: string | undefined } }): string {
  const url = request.url;
  const prefix = CREDENTIAL_PATHS.find((p) => url.startsWith(p));
  if (prefix === undefined) return url;
  return request.routeOptions?.url ?? `${prefix}:token`;
}

/** Fastify's request serializer (method, url, host, peer), with the URL made loggable. */
export function requestSerializer(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: loggableUrl(request),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
