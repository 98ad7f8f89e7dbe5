import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import { AppError } from '../../lib/errors.js';
import { authenticateBearer } from '../access/authenticate.js';
import { accessPaths } from '../access/org-access.js';

/**
 * Webhook endpoints belong to the calling client (docs/webhooks.md, X): any client_credentials token of a
 * Vouchers API client (first-party or aggregator) may manage its own endpoints, nobody else's.
 */
export function webhookAuthHook(ctx: AppContext) {
  return async (request: FastifyRequest): Promise<void> => {
    const principal = await authenticateBearer(ctx, request.headers.authorization);
    const paths = accessPaths(principal);
    if (!paths.includes('first_party') && !paths.includes('aggregator')) {
      throw new AppError('insufficient_scope', 'webhook_client_token_required', {
        headers: {
          'www-authenticate': 'Bearer realm="voucherd", error="insufficient_scope", scope="organizations.voucher_programs organizations.voucher_programs.aggregator"',
        },
      });
    }
    request.principal = principal;
  };
}
