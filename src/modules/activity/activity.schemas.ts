import { Type, type Static } from '@sinclair/typebox';
import { enumOf } from '../../http/schema-types.js';

export const BUCKET_SIZES = ['hour', 'day'] as const;

export const ActivityQuery = Type.Object(
  {
    bucket: Type.Optional(enumOf(BUCKET_SIZES, 'bucket size in the program time zone (default day)')),
    from: Type.Optional(Type.Integer({ minimum: 0, maximum: 8_640_000_000_000_000, description: 'epoch milliseconds, inclusive (default: the program start)' })),
    to: Type.Optional(Type.Integer({ minimum: 0, maximum: 8_640_000_000_000_000, description: 'epoch milliseconds, exclusive (default: the program end, or now when earlier)' })),
  },
  { additionalProperties: false },
);
export type ActivityQuery = Static<typeof ActivityQuery>;

export const ActivityBucket = Type.Object({
  start: Type.Integer({ description: 'epoch ms: a local hour or local midnight in the program time zone' }),
  end: Type.Integer({ description: 'epoch ms, exclusive (a local day is 23 to 25 hours around DST changes)' }),
  claims: Type.Integer({ description: 'vouchers claimed in the bucket' }),
  trips: Type.Integer({ description: 'trips counted against the program in the bucket' }),
  spent_amount: Type.Number({ description: 'amount covered by the program in the bucket, in currency_code' }),
});

export const ActivityWire = Type.Object({
  voucher_program_id: Type.String(),
  bucket: enumOf(BUCKET_SIZES),
  timezone: Type.String(),
  currency_code: Type.String(),
  from: Type.Integer(),
  to: Type.Integer(),
  buckets: Type.Array(ActivityBucket, { description: 'every bucket of the range in order, empty ones included' }),
});
