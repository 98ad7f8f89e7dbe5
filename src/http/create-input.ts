import type { FastifyRequest } from 'fastify';

/**
 * What an org-scoped create route hands its service: the organization of the path, the parsed
 * body, and the client that creates (recorded as the creator; null for a console session without
 * a client).
 */
export function orgCreateInput<B>(request: { params: { organization_id: string }; body: B; principal: FastifyRequest['principal'] }): {
  organizationId: string;
  body: B;
  clientId: string | null;
} {
  return { organizationId: request.params.organization_id, body: request.body, clientId: request.principal?.clientId ?? null };
}
