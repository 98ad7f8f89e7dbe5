import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { errorResponses } from '../../http/schema-types.js';
import { ORG_SELF_SECURITY } from '../../http/openapi/security.js';
import { orgSelfListRoute } from '../access/org-self-list.routes.js';
import { orgSelfOnlyHook } from '../access/org-self.hook.js';
import { AuthorizedAppParams, AuthorizedAppWire } from './authorized-apps.schemas.js';
import { answerInUnitOfWork } from '../idempotency/idempotent-answer.js';
import { authorizedApps, revokeAuthorizedApp, type AuthorizedApp } from './business.service.js';

const BASE = '/v1/organizations/:organization_id/authorized-apps';

/** Aggregator apps the organization authorized, and their revocation (docs/oauth.md, Authorized apps, X). */
export async function authorizedAppRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  app.addHook('onRequest', orgSelfOnlyHook);

  orgSelfListRoute(app, {
    path: BASE,
    tag: 'organizations',
    summary: 'List authorized apps',
    description: 'Aggregator clients the organization authorized, with the time of approval and of revocation.',
    operationId: 'listAuthorizedApps',
    key: 'authorized_apps',
    item: AuthorizedAppWire,
    list: (organizationId) => authorizedApps(ctx, organizationId),
  });

  app.post<{ Params: AuthorizedAppParams }>(
    `${BASE}/:client_id/revoke`,
    {
      schema: {
        summary: 'Revoke an authorized app',
        description: "Withdraws the app's authorization, as /business/revoke does: its tokens no longer reach the organization and its deliveries stop.",
        operationId: 'revokeAuthorizedApp',
        security: ORG_SELF_SECURITY,
        tags: ['organizations'],
        params: AuthorizedAppParams,
        response: { 200: AuthorizedAppWire, ...errorResponses(401, 403, 404, 500) },
      },
    },
    async (request, reply) =>
      answerInUnitOfWork<AuthorizedApp>(ctx, request, reply, (work) => revokeAuthorizedApp(ctx, request.params.organization_id, request.params.client_id, work)),
  );
}
