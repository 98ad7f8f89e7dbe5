import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import type { Principal } from '../oauth/token.service.js';
import { authenticateBearer } from './authenticate.js';
import { assertOrgAccess, type AccessPath } from './org-access.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    accessPath: AccessPath | null;
  }
}

/**
 * onRequest hook for every org-scoped route: runs before the body is parsed or validated, so the
 * 401/403 answers of docs/oauth.md come before any 400 (steps 1–4 before step 5).
 */
export function orgAccessHook(ctx: AppContext) {
  return async (request: FastifyRequest): Promise<void> => {
    const principal = await authenticateBearer(ctx, request.headers.authorization);
    request.principal = principal;
    const organizationId = (request.params as { organization_id?: string }).organization_id ?? '';
    request.accessPath = await assertOrgAccess(ctx, principal, organizationId);
  };
}
