import { Type, type Static } from '@sinclair/typebox';
import { pathIds } from '../../http/schema-types.js';

const LatLng = Type.Object(
  {
    latitude: Type.Number({ minimum: -90, maximum: 90 }),
    longitude: Type.Number({ minimum: -180, maximum: 180 }),
  },
  { additionalProperties: false },
);

const Place = Type.Object({ point: LatLng }, { additionalProperties: false });

/** POST /v1/sandbox/terminal-state-trip-run: Uber's sandbox body (docs/sandbox.md). */
export const TripRunBody = Type.Object(
  {
    pickup: Place,
    dropoff: Place,
    rider_info: Type.Object(
      { identifier: Type.Object({ email_address: Type.String({ minLength: 3, maxLength: 320 }) }, { additionalProperties: false }) },
      { additionalProperties: false },
    ),
    scenario: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
    product_type: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'e.g. UBERX (default)' })),
  },
  { additionalProperties: false },
);
export type TripRunBody = Static<typeof TripRunBody>;

export const TripRunResponse = Type.Object({ run_id: Type.String(), trip_id: Type.String() });

export const RunParams = pathIds('run_id');
export type RunParams = Static<typeof RunParams>;

export const RunInfo = Type.Object({
  trip_id: Type.String(),
  fare_amount: Type.Number(),
  currency_code: Type.String(),
  voucher_id: Type.Optional(Type.String()),
  covered_amount: Type.Number(),
  rider_amount: Type.Number(),
});
export type RunInfo = Static<typeof RunInfo>;

export const RunResponse = Type.Object({
  state: Type.Union([Type.Literal('RUNNING'), Type.Literal('COMPLETED'), Type.Literal('FAILED')]),
  message: Type.Optional(Type.String()),
  run_info: Type.Optional(RunInfo),
});
export type RunResponse = Static<typeof RunResponse>;

/** Uber's sandbox error body: upper-case codes. */
export const SandboxError = Type.Object({ code: Type.String(), message: Type.String(), request_id: Type.Optional(Type.String()) });
