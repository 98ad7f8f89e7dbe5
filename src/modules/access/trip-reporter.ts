import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import { SCOPES } from '../oauth/scopes.js';
import type { Principal } from '../oauth/token.service.js';
import { authenticateBearer } from './authenticate.js';
import { insufficientScope } from '../../http/www-authenticate.js';

/** A trusted trip reporter: the fare or order system of one organization (docs/redemption.md). */
export type TripReporter = Principal & { clientOrganizationId: string };

/**
 * Trips are reported by the operator, never by the rider: a client_credentials token with
 * `vouchers.trips` of a FIRST_PARTY client (bound to one organization). Rider tokens, delegated
 * tokens and aggregator tokens are not reporters.
 */
export function isTripReporter(principal: Principal): principal is TripReporter {
  return (
    principal.grantType === 'client_credentials' &&
    principal.scopes.has(SCOPES.trips) &&
    principal.clientKind === 'FIRST_PARTY' &&
    principal.clientOrganizationId !== null
  );
}

/** onRequest hook of the trips route: 401 for a missing or bad token, 403 unless a trip reporter. */
export function tripReporterAccessHook(ctx: AppContext) {
  return async (request: FastifyRequest): Promise<void> => {
    const principal = await authenticateBearer(ctx, request.headers.authorization);
    if (!isTripReporter(principal)) {
      throw insufficientScope(SCOPES.trips, 'trip_reporter_required');
    }
    request.principal = principal;
  };
}
