import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { errorResponses } from '../../http/schema-types.js';
import { endpointOperationRoutes } from './endpoint-operation.routes.js';
import { ORG_SELF_SECURITY } from '../../http/openapi/security.js';
import { orgSelfListRoute } from '../access/org-self-list.routes.js';
import { orgSelfOnlyHook } from '../access/org-self.hook.js';
import { answerInUnitOfWork } from '../idempotency/idempotent-answer.js';
import type { CreatedEndpoint } from './endpoint.service.js';
import {
  createOrganizationEndpoint,
  deleteOrganizationEndpoint,
  listOrganizationDeliveries,
  listOrganizationEndpoints,
  resendOrganizationDelivery,
  rotateOrganizationEndpointKey,
} from './org-endpoint.service.js';
import { CreateOrgEndpointBody, OrgDeliveryParams, OrgEndpointParams, OrgParams, OrgEndpointWire, OrgEndpointWithKey } from './webhook.schemas.js';

const BASE = '/v1/organizations/:organization_id/webhook-endpoints';

/**
 * The organization's webhook endpoints (docs/webhooks.md, Organization endpoints, X): registered
 * inside the org-scoped plugin, for its ADMINs and its own first-party clients.
 */
export async function orgWebhookRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  app.addHook('onRequest', orgSelfOnlyHook);

  orgSelfListRoute(app, {
    path: BASE,
    tag: 'webhooks',
    summary: "List the organization's webhook endpoints",
    description: "Endpoints of the organization's first-party clients; signing keys are never listed.",
    operationId: 'listOrganizationWebhookEndpoints',
    key: 'webhook_endpoints',
    item: OrgEndpointWire,
    list: (organizationId) => listOrganizationEndpoints(ctx, organizationId),
  });

  app.post<{ Params: OrgParams; Body: CreateOrgEndpointBody }>(
    BASE,
    {
      schema: {
        summary: 'Register a webhook endpoint for the organization',
        description: 'Owned by one of its first-party clients (`client_id`, see the default); the signing key is shown only in this answer.',
        operationId: 'createOrganizationWebhookEndpoint',
        security: ORG_SELF_SECURITY,
        tags: ['webhooks'],
        params: OrgParams,
        body: CreateOrgEndpointBody,
        documentation: { responseHeaders: { 201: ['Location'] } },
        response: { 201: OrgEndpointWithKey, ...errorResponses(400, 401, 403, 409, 413, 500) },
      },
    },
    async (request, reply) =>
      answerInUnitOfWork<CreatedEndpoint & { client_id: string }>(
        ctx,
        request,
        reply,
        (work) => createOrganizationEndpoint(ctx, request.params.organization_id, request.principal!, request.body, work),
        (created) => ({
          status: 201,
          headers: { location: `/v1/organizations/${request.params.organization_id}/webhook-endpoints/${created.webhook_endpoint_id}` },
          body: created,
        }),
      ),
  );

  endpointOperationRoutes(app, ctx, {
    base: BASE,
    security: ORG_SELF_SECURITY,
    endpointParams: OrgEndpointParams,
    deliveryParams: OrgDeliveryParams,
    endpointWithKey: OrgEndpointWithKey,
    owner: (request) => (request.params as OrgParams).organization_id,
    summaries: {
      remove: "Remove one of the organization's webhook endpoints",
      rotate: "Rotate an organization endpoint's signing key",
      deliveries: "Delivery log of an organization's endpoint",
      resend: "Re-send a delivery of an organization's endpoint",
    },
    operationIds: {
      remove: 'deleteOrganizationWebhookEndpoint',
      rotate: 'rotateOrganizationWebhookSigningKey',
      deliveries: 'listOrganizationWebhookDeliveries',
      resend: 'resendOrganizationWebhookDelivery',
    },
    services: {
      remove: deleteOrganizationEndpoint,
      rotate: rotateOrganizationEndpointKey,
      deliveries: listOrganizationDeliveries,
      resend: resendOrganizationDelivery,
    },
  });
}
