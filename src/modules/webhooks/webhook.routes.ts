import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { errorResponses } from '../../http/schema-types.js';
import { listEndpointDeliveries, resendDelivery } from './delivery.service.js';
import { createEndpoint, deleteEndpoint, getClientEndpoint, listClientEndpoints, rotateSigningKey } from './endpoint.service.js';
import { webhookAuthHook } from './webhook-auth.hook.js';
import {
  CreateEndpointBody,
  DeliveriesQuery,
  DeliveryParams,
  EndpointParams,
  RotateKeyBody,
} from './webhook.schemas.js';

const BASE = '/v1/webhook-endpoints';

/** The webhook endpoint registry of the calling client (api.md §8, X). */
export async function webhookRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  app.addHook('onRequest', webhookAuthHook(ctx));
  const clientId = (request: { principal: { clientId: string } | null }) => request.principal!.clientId;
  const tags = ['webhooks'];

  app.post<{ Body: CreateEndpointBody }>(
    BASE,
    { schema: { summary: 'Register a webhook endpoint (the signing key is shown only in this answer)', tags, body: CreateEndpointBody, response: errorResponses(400, 401, 403) } },
    async (request, reply) => {
      const created = await createEndpoint(ctx, {
        clientId: clientId(request),
        url: request.body.url,
        ...(request.body.event_types ? { eventTypes: request.body.event_types } : {}),
        ...(request.body.description !== undefined ? { description: request.body.description } : {}),
      });
      return reply.code(201).header('location', `${BASE}/${created.webhook_endpoint_id}`).send(created);
    },
  );

  app.get(BASE, { schema: { summary: 'List webhook endpoints', tags } }, async (request) => ({
    webhook_endpoints: await listClientEndpoints(ctx, clientId(request)),
  }));

  app.get<{ Params: EndpointParams }>(`${BASE}/:webhook_endpoint_id`, { schema: { summary: 'Get a webhook endpoint', tags, params: EndpointParams } }, async (request) =>
    getClientEndpoint(ctx, clientId(request), request.params.webhook_endpoint_id),
  );

  app.delete<{ Params: EndpointParams }>(
    `${BASE}/:webhook_endpoint_id`,
    { schema: { summary: 'Remove a webhook endpoint', tags, params: EndpointParams } },
    async (request, reply) => {
      await deleteEndpoint(ctx, clientId(request), request.params.webhook_endpoint_id);
      return reply.code(204).send();
    },
  );

  app.post<{ Params: EndpointParams; Body: RotateKeyBody | undefined }>(
    `${BASE}/:webhook_endpoint_id/rotate-key`,
    { schema: { summary: 'Rotate the signing key (old key keeps signing during the overlap)', tags, params: EndpointParams, body: RotateKeyBody } },
    async (request) => rotateSigningKey(ctx, clientId(request), request.params.webhook_endpoint_id, request.body?.overlap_seconds),
  );

  app.get<{ Params: EndpointParams; Querystring: DeliveriesQuery }>(
    `${BASE}/:webhook_endpoint_id/deliveries`,
    { schema: { summary: 'Delivery log of an endpoint, newest first', tags, params: EndpointParams, querystring: DeliveriesQuery } },
    async (request) => listEndpointDeliveries(ctx, clientId(request), request.params.webhook_endpoint_id, request.query),
  );

  app.post<{ Params: DeliveryParams }>(
    `${BASE}/:webhook_endpoint_id/deliveries/:delivery_id/resend`,
    { schema: { summary: 'Re-send a delivery (same message id and body)', tags, params: DeliveryParams } },
    async (request, reply) => reply.code(202).send(await resendDelivery(ctx, clientId(request), request.params.webhook_endpoint_id, request.params.delivery_id)),
  );
}
