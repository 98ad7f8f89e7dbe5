import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { errorResponses } from '../../http/schema-types.js';
import { endpointOperationRoutes } from './endpoint-operation.routes.js';
import { listEndpointDeliveries, resendDelivery } from './delivery.service.js';
import { createEndpoint, deleteEndpoint, getClientEndpoint, listClientEndpoints, rotateSigningKey, type CreatedEndpoint } from './endpoint.service.js';
import { answerInUnitOfWork } from '../idempotency/idempotent-answer.js';
import { webhookAuthHook } from './webhook-auth.hook.js';
import { Type } from '@sinclair/typebox';
import { CLIENT_SECURITY } from '../../http/openapi/security.js';
import { EndpointWire, EndpointWithKey, CreateEndpointBody, DeliveryParams, EndpointParams } from './webhook.schemas.js';

const BASE = '/v1/webhook-endpoints';

/** The webhook endpoint registry of the calling client (docs/webhooks.md, X). */
export async function webhookRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  app.addHook('onRequest', webhookAuthHook(ctx));
  const clientId = (request: { principal: { clientId: string } | null }) => request.principal!.clientId;

  app.post<{ Body: CreateEndpointBody }>(
    BASE,
    {
      schema: {
        summary: 'Register a webhook endpoint',
        description: "Registers a receiver for the client's events; the signing key is shown only in this answer.",
        operationId: 'createWebhookEndpoint',
        security: CLIENT_SECURITY,
        tags: ['webhooks'],
        body: CreateEndpointBody,
        documentation: { responseHeaders: { 201: ['Location'] } },
        response: { 201: EndpointWithKey, ...errorResponses(400, 401, 403, 409, 413, 500) },
      },
    },
    async (request, reply) =>
      answerInUnitOfWork<CreatedEndpoint>(
        ctx,
        request,
        reply,
        (work) =>
          createEndpoint(
            ctx,
            {
              clientId: clientId(request),
              url: request.body.url,
              ...(request.body.event_types ? { eventTypes: request.body.event_types } : {}),
              ...(request.body.description !== undefined ? { description: request.body.description } : {}),
            },
            work,
          ),
        (created) => ({ status: 201, headers: { location: `${BASE}/${created.webhook_endpoint_id}` }, body: created }),
      ),
  );

  const listSchema = {
    summary: 'List webhook endpoints',
    description: "The calling client's endpoints.",
    operationId: 'listWebhookEndpoints',
    security: CLIENT_SECURITY,
    tags: ['webhooks'],
    response: { 200: Type.Object({ webhook_endpoints: Type.Array(EndpointWire) }), ...errorResponses(401, 403, 500) },
  };
  app.get(BASE, { schema: listSchema }, async (request) => ({
    webhook_endpoints: await listClientEndpoints(ctx, clientId(request)),
  }));

  app.get<{ Params: EndpointParams }>(`${BASE}/:webhook_endpoint_id`, {
      schema: {
        summary: 'Get a webhook endpoint',
        description: 'One endpoint of the calling client.',
        operationId: 'getWebhookEndpoint',
        security: CLIENT_SECURITY,
        tags: ['webhooks'],
        params: EndpointParams,
        response: { 200: EndpointWire, ...errorResponses(401, 403, 404, 500) },
      },
    }, async (request) =>
    getClientEndpoint(ctx, clientId(request), request.params.webhook_endpoint_id),
  );

  endpointOperationRoutes(app, ctx, {
    base: BASE,
    security: CLIENT_SECURITY,
    endpointParams: EndpointParams,
    deliveryParams: DeliveryParams,
    endpointWithKey: EndpointWithKey,
    owner: clientId,
    summaries: { remove: 'Remove a webhook endpoint', rotate: 'Rotate the signing key', deliveries: 'Delivery log of an endpoint', resend: 'Re-send a delivery' },
    operationIds: { remove: 'deleteWebhookEndpoint', rotate: 'rotateWebhookSigningKey', deliveries: 'listWebhookDeliveries', resend: 'resendWebhookDelivery' },
    services: { remove: deleteEndpoint, rotate: rotateSigningKey, deliveries: listEndpointDeliveries, resend: resendDelivery },
  });
}
