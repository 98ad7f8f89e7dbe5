import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { errorResponses } from '../../http/schema-types.js';
import { ORG_SELF_SECURITY } from '../../http/openapi/security.js';
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
import {
  CreateOrgEndpointBody,
  DeliveriesQuery,
  DeliveryPage,
  DeliveryWire,
  OrgDeliveryParams,
  OrgEndpointParams,
  OrgParams,
  OrgEndpointWire,
  OrgEndpointWithKey,
  RotateKeyBody,
} from './webhook.schemas.js';

const BASE = '/v1/organizations/:organization_id/webhook-endpoints';

/**
 * The organization's webhook endpoints (docs/webhooks.md, Organization endpoints, X): registered
 * inside the org-scoped plugin, for its ADMINs and its own first-party clients.
 */
export async function orgWebhookRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  app.addHook('onRequest', orgSelfOnlyHook);
  const tags = ['webhooks'];
  const security = ORG_SELF_SECURITY;

  app.get<{ Params: OrgParams }>(
    BASE,
    {
      schema: {
        summary: "List the organization's webhook endpoints",
        description: "Endpoints of the organization's first-party clients; signing keys are never listed.",
        operationId: 'listOrganizationWebhookEndpoints',
        security,
        tags,
        params: OrgParams,
        response: { 200: Type.Object({ webhook_endpoints: Type.Array(OrgEndpointWire) }), ...errorResponses(401, 403, 500) },
      },
    },
    async (request) => ({ webhook_endpoints: await listOrganizationEndpoints(ctx, request.params.organization_id) }),
  );

  app.post<{ Params: OrgParams; Body: CreateOrgEndpointBody }>(
    BASE,
    {
      schema: {
        summary: 'Register a webhook endpoint for the organization',
        description: 'Owned by one of its first-party clients (`client_id`, see the default); the signing key is shown only in this answer.',
        operationId: 'createOrganizationWebhookEndpoint',
        security,
        tags,
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

  app.delete<{ Params: OrgEndpointParams }>(
    `${BASE}/:webhook_endpoint_id`,
    {
      schema: {
        summary: "Remove one of the organization's webhook endpoints",
        description: 'Stops deliveries to the endpoint and removes it.',
        operationId: 'deleteOrganizationWebhookEndpoint',
        security,
        tags,
        params: OrgEndpointParams,
        response: { 204: Type.Null({ description: 'Removed' }), ...errorResponses(401, 403, 404, 500) },
      },
    },
    async (request, reply) => {
      await deleteOrganizationEndpoint(ctx, request.params.organization_id, request.params.webhook_endpoint_id);
      return reply.code(204).send();
    },
  );

  app.post<{ Params: OrgEndpointParams; Body: RotateKeyBody | undefined }>(
    `${BASE}/:webhook_endpoint_id/rotate-key`,
    {
      schema: {
        summary: "Rotate an organization endpoint's signing key",
        description: 'A new signing key, shown only in this answer; the old key keeps signing during the overlap.',
        operationId: 'rotateOrganizationWebhookSigningKey',
        security,
        tags,
        params: OrgEndpointParams,
        body: RotateKeyBody,
        response: { 200: OrgEndpointWithKey, ...errorResponses(400, 401, 403, 404, 413, 500) },
      },
    },
    async (request, reply) =>
      answerInUnitOfWork<CreatedEndpoint & { client_id: string }>(ctx, request, reply, (work) =>
        rotateOrganizationEndpointKey(ctx, request.params.organization_id, request.params.webhook_endpoint_id, request.body?.overlap_seconds, work),
      ),
  );

  app.get<{ Params: OrgEndpointParams; Querystring: DeliveriesQuery }>(
    `${BASE}/:webhook_endpoint_id/deliveries`,
    {
      schema: {
        summary: "Delivery log of an organization's endpoint",
        description: 'Deliveries with their attempts, newest first; `before` pages to older ones.',
        operationId: 'listOrganizationWebhookDeliveries',
        security,
        tags,
        params: OrgEndpointParams,
        querystring: DeliveriesQuery,
        response: { 200: DeliveryPage, ...errorResponses(400, 401, 403, 404, 500) },
      },
    },
    async (request) => listOrganizationDeliveries(ctx, request.params.organization_id, request.params.webhook_endpoint_id, request.query),
  );

  app.post<{ Params: OrgDeliveryParams }>(
    `${BASE}/:webhook_endpoint_id/deliveries/:delivery_id/resend`,
    {
      schema: {
        summary: "Re-send a delivery of an organization's endpoint",
        description: 'The same message (same id and body) becomes due now with a fresh attempt budget.',
        operationId: 'resendOrganizationWebhookDelivery',
        security,
        tags,
        params: OrgDeliveryParams,
        response: { 202: DeliveryWire, ...errorResponses(400, 401, 403, 404, 500) },
      },
    },
    async (request, reply) =>
      reply.code(202).send(await resendOrganizationDelivery(ctx, request.params.organization_id, request.params.webhook_endpoint_id, request.params.delivery_id)),
  );
}
