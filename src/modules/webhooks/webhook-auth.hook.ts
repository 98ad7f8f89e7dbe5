import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import { authenticateBearer } from '../access/authenticate.js';
import { accessPaths } from '../access/org-access.js';
import { insufficientScope } from '../../http/www-authenticate.js';
import { SCOPES } from '../oauth/scopes.js';

/**
 * Webhook endpoints belong to the calling client (docs/webhooks.md, X): any client_credentials token of a
 * Vouchers API client (first-party or aggregator) may manage its own endpoints, nobody else's.
 */
export function webhookAuthHook(ctx: AppContext) {
  return async (request: FastifyRequest): Promise<void> => {
    const principal = await authenticateBearer(ctx, request.headers.authorization);
    const paths = accessPaths(principal);
    if (!paths.includes('first_party') && !paths.includes('aggregator')) {
      throw insufficientScope(`${SCOPES.voucherPrograms} ${SCOPES.aggregator}`, 'webhook_client_token_required');
    }
    request.principal = principal;
  };
}
