import { Type, type Static } from '@sinclair/typebox';
import { BoundedIntegerLike, IntegerLike, enumOf, pathIds } from '../../http/schema-types.js';

export const CODE_SCHEMES = ['SINGLE_CODE_MULTI_REDEEM', 'MULTI_CODE_SINGLE_REDEEM'] as const;
export const VOUCHER_TYPES = ['PERSONAL_TRANSPORT', 'EATS', 'GENERIC_VOUCHER'] as const;
export const RECURRENCE_PERIODS = ['SINGLE', 'DAILY', 'MONTHLY'] as const;
export const TRIP_RESTRICTION_TYPES = ['PICKUP_OR_DROPOFF', 'PICKUP_AND_DROPOFF', 'PICKUP_ONLY', 'DROPOFF_ONLY'] as const;

const literalUnion = enumOf;

export const Location = Type.Object(
  {
    latitude: Type.Number({ minimum: -90, maximum: 90 }),
    longitude: Type.Number({ minimum: -180, maximum: 180 }),
    radius: Type.Integer({ minimum: 20, maximum: 100_000, description: 'meters (≥ 20)' }),
    address: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);

const Amount = (description: string) => Type.Number({ minimum: 0, maximum: 1e12, description });

/** Create Voucher Program body: Uber's field names (docs/programs.md). */
export const CreateProgramBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 255 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    currency_code: Type.String({ minLength: 3, maxLength: 3, description: 'ISO 4217' }),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA name, default UTC' })),
    starts_at: IntegerLike('epoch milliseconds'),
    ends_at: IntegerLike('epoch milliseconds'),
    code_scheme: literalUnion(CODE_SCHEMES),
    redemptions_per_code: Type.Optional(IntegerLike()),
    number_of_codes: Type.Optional(IntegerLike('MULTI_CODE_SINGLE_REDEEM only: size of the first batch')),
    voucher_type: Type.Optional(literalUnion(VOUCHER_TYPES)),
    value_per_trip_max_amount: Type.Optional(Amount('maximum covered per trip')),
    value_per_trip_deductible: Type.Optional(Amount('amount the rider pays first on each trip')),
    value_per_trip_percentage: Type.Optional(IntegerLike('share of the fare covered, 5–99 (default 100)')),
    value_per_period_max_trips: Type.Optional(IntegerLike()),
    value_per_period_max_credit: Type.Optional(Amount('credit per period')),
    value_recurrence_period: Type.Optional(literalUnion(RECURRENCE_PERIODS)),
    trip_restriction_type: Type.Optional(literalUnion(TRIP_RESTRICTION_TYPES)),
    pickup_locations: Type.Optional(Type.Array(Location, { maxItems: 50 })),
    dropoff_locations: Type.Optional(Type.Array(Location, { maxItems: 50 })),
    vehicle_category_types: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 32 })),
    expense_memo: Type.Optional(Type.String({ maxLength: 500 })),
    creator_email: Type.Optional(Type.String({ maxLength: 254, description: "the program owner's email, or empty" })),
    value_per_period_max_amount: Type.Optional(Amount('most covered per voucher per recurrence period, summed over its trips')),
    max_trips_per_client: Type.Optional(IntegerLike('legacy name of value_per_period_max_trips')),
    endmax_value_per_trips_at: Type.Optional(Amount('legacy name of value_per_trip_max_amount')),
    code_format: Type.Optional(
      Type.Object(
        {
          prefix: Type.Optional(Type.String({ pattern: '^[23456789ABCDEFGHJKLMNPQRSTVWXYZ]{1,8}$', description: '1–8 symbols of the code alphabet' })),
          length: Type.Optional(IntegerLike('random symbols per code, 8 or more (default 12)')),
        },
        { additionalProperties: false, description: 'code format (a voucherd extension); immutable after create' },
      ),
    ),
  },
  { additionalProperties: false },
);
export type CreateProgramBody = Static<typeof CreateProgramBody>;

export const ProgramParams = pathIds('organization_id', 'voucher_program_id');
export type ProgramParams = Static<typeof ProgramParams>;

export const OrgParams = pathIds('organization_id');
export type OrgParams = Static<typeof OrgParams>;

export const GetProgramQuery = Type.Object(
  { include_guests: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

/**
 * PATCH voucher program (docs/programs.md): every mutable field, optional. `code_scheme` and
 * `currency_code` are accepted by the schema only so the service can refuse them by name.
 */
const { number_of_codes: _n, code_scheme: _s, currency_code: _c, code_format: _f, ...mutable } = CreateProgramBody.properties;
export const PatchProgramBody = Type.Object(
  {
    ...Object.fromEntries(Object.entries(mutable).map(([k, v]) => [k, Type.Optional(v)])),
    code_scheme: Type.Optional(Type.Unknown()),
    currency_code: Type.Optional(Type.Unknown()),
    code_format: Type.Optional(Type.Unknown()),
  } as Record<string, ReturnType<typeof Type.Optional>>,
  { additionalProperties: false },
);
export type PatchProgramBody = Partial<Omit<CreateProgramBody, 'number_of_codes' | 'code_scheme' | 'currency_code' | 'code_format'>> & {
  code_scheme?: unknown;
  currency_code?: unknown;
  code_format?: unknown;
};

export const PROGRAM_STATUSES = ['UPCOMING', 'ACTIVE', 'COMPLETE', 'CANCELED'] as const;

/** Search Voucher Programs body (docs/programs.md). */
export const SearchProgramsBody = Type.Object(
  {
    // Clients that send every key send `null` for "any status".
    program_status: Type.Optional(Type.Union([literalUnion(PROGRAM_STATUSES), Type.Null()])),
    limit: Type.Optional(IntegerLike('page size, 1–100 (default 50)')),
    offset: Type.Optional(IntegerLike('programs to skip (default 0)')),
    name_contains: Type.Optional(Type.String({ maxLength: 200, description: 'voucherd extension: only programs whose name contains this text, case-insensitive' })),
  },
  { additionalProperties: false },
);
export type SearchProgramsBody = Static<typeof SearchProgramsBody>;

/** A location as answers show it (the stored request value). */
const LocationWire = Type.Object({
  latitude: Type.Number(),
  longitude: Type.Number(),
  radius: Type.Integer(),
  address: Type.String(),
});

/**
 * How a voucher recurs and which trips it covers, plus its expense memo, as program and template
 * answers both show them (the stored request values; absent when not set). Spread in this order.
 */
export const tripRuleWireFields = {
  value_recurrence_period: Type.Optional(literalUnion(RECURRENCE_PERIODS)),
  trip_restriction_type: Type.Optional(literalUnion(TRIP_RESTRICTION_TYPES)),
  pickup_locations: Type.Optional(Type.Array(LocationWire)),
  dropoff_locations: Type.Optional(Type.Array(LocationWire)),
  vehicle_category_types: Type.Optional(Type.Array(Type.String())),
  expense_memo: Type.Optional(Type.String()),
};

/**
 * Get Voucher Program's answer (program.view.ts): Uber's fields, the legacy names Uber still
 * carries, and ours. Absent optionals are omitted. The serializer keeps only what is listed here,
 * so a field added to the view is added here too.
 */
export const ProgramWire = Type.Object(
  {
    voucher_program_id: Type.String(),
    name: Type.String(),
    description: Type.Optional(Type.String()),
    currency_code: Type.String({ description: 'ISO 4217' }),
    timezone: Type.String({ description: 'IANA name' }),
    starts_at: Type.Integer({ description: 'epoch milliseconds' }),
    ends_at: Type.Integer({ description: 'epoch milliseconds' }),
    created_at: Type.Integer({ description: 'epoch milliseconds' }),
    code_scheme: literalUnion(CODE_SCHEMES),
    redemptions_per_code: Type.Integer(),
    number_of_codes: Type.Optional(Type.Integer({ description: 'MULTI_CODE_SINGLE_REDEEM: codes generated so far' })),
    voucher_type: literalUnion(VOUCHER_TYPES),
    value_per_trip_max_amount: Type.Optional(Type.Number()),
    value_per_trip_deductible: Type.Optional(Type.Number()),
    value_per_trip_percentage: Type.Optional(Type.Integer()),
    value_per_period_max_trips: Type.Optional(Type.Integer()),
    value_per_period_max_credit: Type.Optional(Type.Number()),
    ...tripRuleWireFields,
    creator_email: Type.Optional(Type.String()),
    value_per_period_max_amount: Type.Optional(Type.Number()),
    max_trips_per_client: Type.Optional(Type.Integer({ description: 'legacy name of value_per_period_max_trips' })),
    endmax_value_per_trips_at: Type.Optional(Type.Number({ description: 'legacy name of value_per_trip_max_amount' })),
    status: literalUnion(['UPCOMING', 'ACTIVE', 'COMPLETE', 'CANCELED'] as const),
    is_disabled: Type.Boolean(),
    usage_trip_count: Type.Integer(),
    usage_voucher_claim_count: Type.Integer(),
    usage_amount: Type.Number(),
    usage_amount_currency: Type.String(),
    total_dollar_exposure: Type.Optional(Type.Number({ description: 'the most the program can cost; absent when unbounded' })),
    total_number_of_codes: Type.Integer(),
    code_format: Type.Object({ prefix: Type.String(), length: Type.Integer() }),
  },
  { $id: 'VoucherProgram' },
);

/** Create Voucher Program (and the template variants): the program, and its code for SINGLE_CODE. */
export const CreatedProgram = Type.Object(
  {
    voucher_program_id: Type.String(),
    code_text: Type.Optional(Type.String({ description: 'SINGLE_CODE_MULTI_REDEEM: the one code' })),
    code_link: Type.Optional(Type.String({ description: 'SINGLE_CODE_MULTI_REDEEM: its redemption link' })),
  },
  { $id: 'CreatedVoucherProgram' },
);

/** One entry of Search Voucher Programs (program-search.service.ts). */
export const ProgramSummary = Type.Object({
  voucher_program_id: Type.String(),
  name: Type.String(),
  status: literalUnion(['UPCOMING', 'ACTIVE', 'COMPLETE', 'CANCELED'] as const),
  total_dollar_exposure: Type.Optional(Type.Number()),
  currency_code: Type.String(),
  starts_at: Type.Integer(),
  ends_at: Type.Integer(),
  created_at: Type.Integer(),
  voucher_type: literalUnion(VOUCHER_TYPES),
  code_scheme: literalUnion(CODE_SCHEMES),
  creator_email: Type.Optional(Type.String()),
  total_number_of_codes: Type.Optional(Type.Integer({ description: 'voucherd extension: codes generated so far' })),
  usage_voucher_claim_count: Type.Optional(Type.Integer({ description: 'voucherd extension: claims so far' })),
  usage_trip_count: Type.Optional(Type.Integer({ description: 'voucherd extension: trips so far' })),
  usage_amount: Type.Optional(Type.Number({ description: 'voucherd extension: amount covered so far, in currency_code' })),
});

/** The create body as documented: `number_of_codes` with the range the service enforces. */
export const createProgramBodyDocumentation = (maxCodes: number) =>
  Type.Object(
    {
      ...CreateProgramBody.properties,
      number_of_codes: Type.Optional(BoundedIntegerLike(1, maxCodes, 'MULTI_CODE_SINGLE_REDEEM only: size of the first batch (MAX_CODES_PER_REQUEST)')),
    },
    { additionalProperties: false },
  );

/** A guest of a program (GET …/guests, and GET program with include_guests). */
export const GuestWire = Type.Object(
  {
    email: Type.Optional(Type.String()),
    phone: Type.Optional(Type.String({ description: 'E.164' })),
    code: Type.Optional(
      Type.Object({
        code_id: Type.String(),
        code_text: Type.String(),
        redemption_link: Type.String(),
        status: Type.Optional(Type.Union([Type.Literal('AVAILABLE'), Type.Literal('REDEEMED'), Type.Literal('CANCELED')])),
        usage_count: Type.Optional(Type.Integer()),
      }),
    ),
    created_at: Type.Integer({ description: 'epoch milliseconds' }),
    distributed_at: Type.Optional(Type.Integer({ description: 'epoch milliseconds; absent until the code was sent' })),
  },
  { $id: 'Guest' },
);
