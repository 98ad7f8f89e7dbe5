import { Type, type Static } from '@sinclair/typebox';
import { pathIds } from '../../http/schema-types.js';
import { EVENT_TYPES } from './events.js';

export const CreateEndpointBody = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2048, description: 'http(s) URL of the receiver' }),
    event_types: Type.Optional(
      Type.Array(Type.Union(EVENT_TYPES.map((t) => Type.Literal(t))), { minItems: 1, maxItems: EVENT_TYPES.length * 2, description: 'omit for every event' }),
    ),
    description: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type CreateEndpointBody = Static<typeof CreateEndpointBody>;

export const RotateKeyBody = Type.Object(
  { overlap_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 86_400, description: 'how long the old key keeps signing (default WEBHOOK_KEY_OVERLAP_SECONDS)' })) },
  { additionalProperties: false },
);
export type RotateKeyBody = Static<typeof RotateKeyBody>;

export const EndpointParams = pathIds('webhook_endpoint_id');
export type EndpointParams = Static<typeof EndpointParams>;

export const DeliveryParams = pathIds('webhook_endpoint_id', 'delivery_id');
export type DeliveryParams = Static<typeof DeliveryParams>;

export const DeliveriesQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    status: Type.Optional(Type.Union([Type.Literal('PENDING'), Type.Literal('SUCCEEDED'), Type.Literal('FAILED')])),
    before: Type.Optional(Type.String({ maxLength: 64, description: 'delivery id: page to older deliveries' })),
  },
  { additionalProperties: false },
);
export type DeliveriesQuery = Static<typeof DeliveriesQuery>;

const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(schema: T) => Type.Union([schema, Type.Null()]);

/** A webhook endpoint (endpoint.view.ts); the signing key is never part of it. */
const endpointFields = {
  webhook_endpoint_id: Type.String(),
  url: Type.String(),
  event_types: Type.Union([Type.Array(Type.Union(EVENT_TYPES.map((t) => Type.Literal(t)))), Type.Null()], { description: 'null = every event' }),
  description: Nullable(Type.String()),
  status: Type.Union([Type.Literal('ENABLED'), Type.Literal('DISABLED')]),
  disabled_reason: Nullable(Type.String()),
  previous_key_expires_at: Nullable(Type.Integer({ description: 'epoch milliseconds: until then the previous key signs too' })),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
};
export const EndpointWire = Type.Object(endpointFields, { $id: 'WebhookEndpoint' });

/** Registration and key rotation: the endpoint and its signing key, shown only in this answer. */
export const EndpointWithKey = Type.Object({ ...endpointFields, signing_key: Type.String({ description: 'shown only in this answer' }) });

export const DeliveryWire = Type.Object(
  {
    delivery_id: Type.String(),
    webhook_msg_uuid: Type.String(),
    event_id: Type.String(),
    event_type: Type.String(),
    organization_id: Type.String(),
    status: Type.Union([Type.Literal('PENDING'), Type.Literal('SUCCEEDED'), Type.Literal('FAILED')]),
    attempts: Type.Integer(),
    next_attempt_at: Nullable(Type.Integer()),
    last_status_code: Nullable(Type.Integer()),
    last_error: Nullable(Type.String()),
    created_at: Type.Integer(),
    delivered_at: Nullable(Type.Integer()),
    attempt_log: Type.Array(
      Type.Object({
        attempt: Type.Integer(),
        started_at: Type.Integer(),
        duration_ms: Type.Integer(),
        status_code: Nullable(Type.Integer()),
        error: Nullable(Type.String()),
      }),
    ),
  },
  { $id: 'WebhookDelivery' },
);

export const DeliveryPage = Type.Object({
  deliveries: Type.Array(DeliveryWire),
  next_before: Nullable(Type.String({ description: 'pass as `before` for older deliveries; null on the last page' })),
});

/** An endpoint seen by its organization (docs/webhooks.md, Organization endpoints): which client owns it. */
const orgEndpointFields = { ...endpointFields, client_id: Type.String({ description: 'the first-party client that owns the endpoint' }) };
export const OrgEndpointWire = Type.Object(orgEndpointFields, { $id: 'OrganizationWebhookEndpoint' });
export const OrgEndpointWithKey = Type.Object({ ...orgEndpointFields, signing_key: Type.String({ description: 'shown only in this answer' }) });

export const CreateOrgEndpointBody = Type.Object(
  {
    ...CreateEndpointBody.properties,
    client_id: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: "owner: one of the organization's first-party clients (default: the calling client, else the oldest holding organizations.voucher_programs)" }),
    ),
  },
  { additionalProperties: false },
);
export type CreateOrgEndpointBody = Static<typeof CreateOrgEndpointBody>;

export const OrgParams = pathIds('organization_id');
export type OrgParams = Static<typeof OrgParams>;

export const OrgEndpointParams = pathIds('organization_id', 'webhook_endpoint_id');
export type OrgEndpointParams = Static<typeof OrgEndpointParams>;

export const OrgDeliveryParams = pathIds('organization_id', 'webhook_endpoint_id', 'delivery_id');
export type OrgDeliveryParams = Static<typeof OrgDeliveryParams>;
