import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import { SCOPES } from '../oauth/scopes.js';
import type { Principal } from '../oauth/token.service.js';
import { authenticateBearer } from './authenticate.js';
import { insufficientScope } from '../../http/www-authenticate.js';

/** A principal acting for a rider: it has a user and may redeem vouchers. */
export type RiderPrincipal = Principal & { userId: string };

/**
 * Rider access (docs/oauth.md): `vouchers.redeem` granted through authorization_code (or its
 * refresh) to a user. A client_credentials token never acts for a rider.
 */
export function isRider(principal: Principal): principal is RiderPrincipal {
  return principal.grantType !== 'client_credentials' && principal.userId !== null && principal.scopes.has(SCOPES.redeem);
}

export function assertRider(principal: Principal): RiderPrincipal {
  if (isRider(principal)) return principal;
  throw insufficientScope(SCOPES.redeem, 'rider_scope_required');
}

/**
 * onRequest hook of rider routes: 401 for a missing or bad token (docs/oauth.md step 1), 403
 * `unauthorized` without rider scope — before the body is parsed.
 */
export function riderAccessHook(ctx: AppContext) {
  return async (request: FastifyRequest): Promise<void> => {
    const principal = await authenticateBearer(ctx, request.headers.authorization);
    request.principal = assertRider(principal);
  };
}
