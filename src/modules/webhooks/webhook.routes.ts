import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { errorResponses } from '../../http/schema-types.js';
import { listEndpointDeliveries, resendDelivery } from './delivery.service.js';
import { createEndpoint, deleteEndpoint, getClientEndpoint, listClientEndpoints, rotateSigningKey, type CreatedEndpoint } from './endpoint.service.js';
import { answerInUnitOfWork } from '../idempotency/idempotent-answer.js';
import { webhookAuthHook } from './webhook-auth.hook.js';
import { Type } from '@sinclair/typebox';
import { CLIENT_SECURITY } from '../../http/openapi/security.js';
import {
  DeliveryPage,
  DeliveryWire,
  EndpointWire,
  EndpointWithKey,
  CreateEndpointBody,
  DeliveriesQuery,
  DeliveryParams,
  EndpointParams,
  RotateKeyBody,
} from './webhook.schemas.js';

const BASE = '/v1/webhook-endpoints';

/** The webhook endpoint registry of the calling client (docs/webhooks.md, X). */
export async function webhookRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  app.addHook('onRequest', webhookAuthHook(ctx));
  const clientId = (request: { principal: { clientId: string } | null }) => request.principal!.clientId;
  const tags = ['webhooks'];
  const security = CLIENT_SECURITY;

  app.post<{ Body: CreateEndpointBody }>(
    BASE,
    {
      schema: {
        summary: 'Register a webhook endpoint',
        description: "Registers a receiver for the client's events; the signing key is shown only in this answer.",
        operationId: 'createWebhookEndpoint',
        security,
        tags,
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
    security,
    tags,
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
        security,
        tags,
        params: EndpointParams,
        response: { 200: EndpointWire, ...errorResponses(401, 403, 404, 500) },
      },
    }, async (request) =>
    getClientEndpoint(ctx, clientId(request), request.params.webhook_endpoint_id),
  );

  app.delete<{ Params: EndpointParams }>(
    `${BASE}/:webhook_endpoint_id`,
    {
      schema: {
        summary: 'Remove a webhook endpoint',
        description: 'Stops deliveries to the endpoint and removes it.',
        operationId: 'deleteWebhookEndpoint',
        security,
        tags,
        params: EndpointParams,
        response: { 204: Type.Null({ description: 'Removed' }), ...errorResponses(401, 403, 404, 500) },
      },
    },
    async (request, reply) => {
      await deleteEndpoint(ctx, clientId(request), request.params.webhook_endpoint_id);
      return reply.code(204).send();
    },
  );

  app.post<{ Params: EndpointParams; Body: RotateKeyBody | undefined }>(
    `${BASE}/:webhook_endpoint_id/rotate-key`,
    {
      schema: {
        summary: 'Rotate the signing key',
        description: 'A new signing key, shown only in this answer; the old key keeps signing during the overlap.',
        operationId: 'rotateWebhookSigningKey',
        security,
        tags,
        params: EndpointParams,
        body: RotateKeyBody,
        response: { 200: EndpointWithKey, ...errorResponses(400, 401, 403, 404, 413, 500) },
      },
    },
    async (request, reply) =>
      answerInUnitOfWork<CreatedEndpoint>(ctx, request, reply, (work) =>
        rotateSigningKey(ctx, clientId(request), request.params.webhook_endpoint_id, request.body?.overlap_seconds, work),
      ),
  );

  app.get<{ Params: EndpointParams; Querystring: DeliveriesQuery }>(
    `${BASE}/:webhook_endpoint_id/deliveries`,
    {
      schema: {
        summary: 'Delivery log of an endpoint',
        description: 'Deliveries with their attempts, newest first; `before` pages to older ones.',
        operationId: 'listWebhookDeliveries',
        security,
        tags,
        params: EndpointParams,
        querystring: DeliveriesQuery,
        response: { 200: DeliveryPage, ...errorResponses(400, 401, 403, 404, 500) },
      },
    },
    async (request) => listEndpointDeliveries(ctx, clientId(request), request.params.webhook_endpoint_id, request.query),
  );

  app.post<{ Params: DeliveryParams }>(
    `${BASE}/:webhook_endpoint_id/deliveries/:delivery_id/resend`,
    {
      schema: {
        summary: 'Re-send a delivery',
        description: 'The same message (same id and body) becomes due now with a fresh attempt budget.',
        operationId: 'resendWebhookDelivery',
        security,
        tags,
        params: DeliveryParams,
        response: { 202: DeliveryWire, ...errorResponses(400, 401, 403, 404, 500) },
      },
    },
    async (request, reply) => reply.code(202).send(await resendDelivery(ctx, clientId(request), request.params.webhook_endpoint_id, request.params.delivery_id)),
  );
}
