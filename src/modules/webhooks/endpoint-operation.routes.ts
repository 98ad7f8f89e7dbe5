import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import type { Requirement } from '../../http/openapi/security.js';
import { errorResponses } from '../../http/schema-types.js';
import { DeliveriesQuery, DeliveryPage, DeliveryWire, RotateKeyBody } from './webhook.schemas.js';
import type { UnitOfWork } from '../../db/unit-of-work.js';
import { answerInUnitOfWork } from '../idempotency/idempotent-answer.js';
import type { DeliveryView } from './delivery.service.js';
import type { CreatedEndpoint } from './endpoint.service.js';

type Operation = 'remove' | 'rotate' | 'deliveries' | 'resend';

/**
 * One owner of webhook endpoints as the HTTP API sees it: the calling client (webhook.routes.ts)
 * or an organization (org-webhook.routes.ts). Both answer the same four operations on one of their
 * endpoints; only the path, the owner, the names in the OpenAPI document and the services differ.
 */
export interface EndpointOwnerScope<R extends CreatedEndpoint = CreatedEndpoint> {
  /** The endpoints collection, e.g. `/v1/webhook-endpoints`. */
  base: string;
  security: Requirement[];
  /** Path parameters of `{base}/:webhook_endpoint_id` and of `…/deliveries/:delivery_id`. */
  endpointParams: TSchema;
  deliveryParams: TSchema;
  /** The endpoint with its new signing key, as this owner sees endpoints. */
  endpointWithKey: TSchema;
  /** Who owns the endpoints the request reaches (the id the services take first). */
  owner(request: FastifyRequest): string;
  summaries: Record<Operation, string>;
  operationIds: Record<Operation, string>;
  services: {
    remove(ctx: AppContext, owner: string, endpointId: string): Promise<void>;
    rotate(ctx: AppContext, owner: string, endpointId: string, overlapSeconds: number | undefined, work: UnitOfWork<R>): Promise<R>;
    deliveries(ctx: AppContext, owner: string, endpointId: string, query: DeliveriesQuery): Promise<unknown>;
    resend(ctx: AppContext, owner: string, endpointId: string, deliveryId: string, work: UnitOfWork<DeliveryView>): Promise<DeliveryView>;
  };
}

type EndpointRequest = { Params: { webhook_endpoint_id: string } };

/** Registers remove, rotate-key, delivery log and re-send under `{base}/:webhook_endpoint_id` (docs/webhooks.md). */
export function endpointOperationRoutes<R extends CreatedEndpoint>(app: FastifyInstance, ctx: AppContext, scope: EndpointOwnerScope<R>): void {
  const { security, summaries, operationIds, services } = scope;
  const tags = ['webhooks'];
  const endpoint = `${scope.base}/:webhook_endpoint_id`;
  const operation = (name: Operation, description: string) => ({ summary: summaries[name], description, operationId: operationIds[name], security, tags });

  app.delete<EndpointRequest>(
    endpoint,
    {
      schema: {
        ...operation('remove', 'Stops deliveries to the endpoint and removes it.'),
        params: scope.endpointParams,
        response: { 204: Type.Null({ description: 'Removed' }), ...errorResponses(401, 403, 404, 500) },
      },
    },
    async (request, reply) => {
      await services.remove(ctx, scope.owner(request), request.params.webhook_endpoint_id);
      return reply.code(204).send();
    },
  );

  app.post<EndpointRequest & { Body: RotateKeyBody | undefined }>(
    `${endpoint}/rotate-key`,
    {
      schema: {
        ...operation('rotate', 'A new signing key, shown only in this answer; the old key keeps signing during the overlap.'),
        params: scope.endpointParams,
        body: RotateKeyBody,
        response: { 200: scope.endpointWithKey, ...errorResponses(400, 401, 403, 404, 413, 500) },
      },
    },
    async (request, reply) =>
      answerInUnitOfWork<R>(ctx, request, reply, (work) => services.rotate(ctx, scope.owner(request), request.params.webhook_endpoint_id, request.body?.overlap_seconds, work)),
  );

  app.get<EndpointRequest & { Querystring: DeliveriesQuery }>(
    `${endpoint}/deliveries`,
    {
      schema: {
        ...operation('deliveries', 'Deliveries with their attempts, newest first; `before` pages to older ones.'),
        params: scope.endpointParams,
        querystring: DeliveriesQuery,
        response: { 200: DeliveryPage, ...errorResponses(400, 401, 403, 404, 500) },
      },
    },
    async (request) => services.deliveries(ctx, scope.owner(request), request.params.webhook_endpoint_id, request.query),
  );

  app.post<{ Params: { webhook_endpoint_id: string; delivery_id: string } }>(
    `${endpoint}/deliveries/:delivery_id/resend`,
    {
      schema: {
        ...operation('resend', 'The same message (same id and body) becomes due now with a fresh attempt budget.'),
        params: scope.deliveryParams,
        response: { 202: DeliveryWire, ...errorResponses(400, 401, 403, 404, 500) },
      },
    },
    async (request, reply) =>
      answerInUnitOfWork<DeliveryView>(
        ctx,
        request,
        reply,
        (work) => services.resend(ctx, scope.owner(request), request.params.webhook_endpoint_id, request.params.delivery_id, work),
        (delivery) => ({ status: 202, body: delivery }),
      ),
  );
}
