import { Type, type Static } from '@sinclair/typebox';
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

export const EndpointParams = Type.Object({ webhook_endpoint_id: Type.String({ maxLength: 64 }) });
export type EndpointParams = Static<typeof EndpointParams>;

export const DeliveryParams = Type.Object({ webhook_endpoint_id: Type.String({ maxLength: 64 }), delivery_id: Type.String({ maxLength: 64 }) });
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
