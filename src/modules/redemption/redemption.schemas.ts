import { Type, type Static } from '@sinclair/typebox';
import { pathIds } from '../../http/schema-types.js';

/** POST /v1.2/me/vouchers/redeem (docs/redemption.md). */
export const RedeemBody = Type.Object(
  { code_text: Type.String({ minLength: 1, maxLength: 64, description: 'Case-insensitive; spaces and dashes ignored' }) },
  { additionalProperties: false },
);
export type RedeemBody = Static<typeof RedeemBody>;

export const RedeemResponse = Type.Object({ voucher_id: Type.String() });

export const VoucherParams = pathIds('voucher_id');
export type VoucherParams = Static<typeof VoucherParams>;

/** POST /v1/vouchers/{voucher_id}/trips (X): amounts in major units, as Uber's wire does. */
export const TripBody = Type.Object(
  {
    trip_id: Type.String({ minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7E]+$' }),
    fare_amount: Type.Number({ minimum: 0, maximum: 1e9 }),
    currency_code: Type.String({ pattern: '^[A-Z]{3}$' }),
  },
  { additionalProperties: false },
);
export type TripBody = Static<typeof TripBody>;

export const TripResponse = Type.Object({
  voucher_id: Type.String(),
  trip_id: Type.String(),
  currency_code: Type.String(),
  covered_amount: Type.Number(),
  rider_amount: Type.Number(),
  remaining_trips: Type.Union([Type.Integer(), Type.Null()]),
  remaining_credit: Type.Union([Type.Number(), Type.Null()]),
});

/** GET /v1.2/me/vouchers (X): the rider's vouchers and what is left on them in the current period. */
export const RiderVoucher = Type.Object({
  voucher_id: Type.String(),
  voucher_program_id: Type.String(),
  name: Type.String({ description: "The program's name" }),
  status: Type.Union([Type.Literal('UPCOMING'), Type.Literal('ACTIVE'), Type.Literal('COMPLETE'), Type.Literal('CANCELED')], { description: 'The program status' }),
  currency_code: Type.String(),
  claimed_at: Type.Integer({ description: 'Epoch milliseconds' }),
  starts_at: Type.Integer(),
  ends_at: Type.Integer(),
  remaining_trips: Type.Union([Type.Integer(), Type.Null()], { description: 'Covered trips left in the current period; null = no trip limit' }),
  remaining_credit: Type.Union([Type.Number(), Type.Null()], { description: 'Credit left in the current period; null = no credit limit' }),
});

export const RiderVouchersResponse = Type.Object({ vouchers: Type.Array(RiderVoucher) });
