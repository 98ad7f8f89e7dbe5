import { Type, type Static } from '@sinclair/typebox';
import { IntegerLike, enumOf, pathIds } from '../../http/schema-types.js';
import { CODE_SCHEMES, CreateProgramBody, RECURRENCE_PERIODS, TRIP_RESTRICTION_TYPES, VOUCHER_TYPES, tripRuleWireFields } from '../programs/program.schemas.js';

const literalUnion = enumOf;
const P = CreateProgramBody.properties;

/** Fields a template may preset (Uber's Create Voucher Template request names). */
const templateFields = {
  campaign_name: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'default program name shown to riders' })),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'name given to programs created from the template' })),
  creator_email: Type.Optional(P.creator_email),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  timezone: Type.Optional(P.timezone),
  currency_code: Type.Optional(Type.String({ minLength: 3, maxLength: 3 })),
  is_fully_covered: Type.Optional(Type.Boolean()),
  code_scheme: Type.Optional(literalUnion(CODE_SCHEMES)),
  redemptions_per_code: Type.Optional(IntegerLike()),
  voucher_type: Type.Optional(literalUnion(VOUCHER_TYPES)),
  value_per_trip_max_amount: Type.Optional(P.value_per_trip_max_amount),
  value_per_trip_deductible: Type.Optional(P.value_per_trip_deductible),
  value_per_trip_percentage: Type.Optional(P.value_per_trip_percentage),
  value_per_period_max_trips: Type.Optional(P.value_per_period_max_trips),
  value_per_period_max_credit: Type.Optional(P.value_per_period_max_credit),
  value_per_period_max_amount: Type.Optional(P.value_per_period_max_amount),
  value_recurrence_period: Type.Optional(literalUnion(RECURRENCE_PERIODS)),
  trip_restriction_type: Type.Optional(literalUnion(TRIP_RESTRICTION_TYPES)),
  pickup_locations: Type.Optional(P.pickup_locations),
  dropoff_locations: Type.Optional(P.dropoff_locations),
  vehicle_category_types: Type.Optional(P.vehicle_category_types),
  expense_memo: Type.Optional(P.expense_memo),
};

export const CreateTemplateBody = Type.Object(
  { template_name: Type.String({ minLength: 1, maxLength: 255 }), ...templateFields },
  { additionalProperties: false },
);
export type CreateTemplateBody = Static<typeof CreateTemplateBody>;

/** Update Voucher Template: partial; `is_disabled` (X) retires a template. */
export const PatchTemplateBody = Type.Object(
  {
    template_name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    ...templateFields,
    is_disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchTemplateBody = Static<typeof PatchTemplateBody>;

export const TemplateParams = pathIds('organization_id', 'template_id');
export type TemplateParams = Static<typeof TemplateParams>;

const { campaign_name: _campaign, is_fully_covered: _covered, name: _name, ...overridable } = templateFields;

/** Create Voucher Program From Template: the template's id, the window, and any overrides. */
export const CreateFromTemplateBody = Type.Object(
  {
    template_id: Type.String({ minLength: 1, maxLength: 64 }),
    name: Type.Optional(P.name),
    starts_at: P.starts_at,
    ends_at: P.ends_at,
    number_of_codes: Type.Optional(P.number_of_codes),
    ...overridable,
  },
  { additionalProperties: false },
);
export type CreateFromTemplateBody = Omit<CreateTemplateBody, 'template_name' | 'campaign_name' | 'is_fully_covered'> & {
  template_id: string;
  name?: string;
  starts_at: number | string;
  ends_at: number | string;
  number_of_codes?: number | string;
};

export const OWNER_TYPES = ['ORGANIZATION', 'USER'] as const;

/**
 * Uber's one-person program from a template (deprecated there, still called by integrations).
 * `ends_at` (X) is optional: by default the program runs 30 days from `starts_at` (default now).
 */
export const IndividualProgramBody = Type.Object(
  {
    template_uuid: Type.String({ minLength: 1, maxLength: 64 }),
    program_uuid: Type.Optional(Type.String({ maxLength: 64, description: "the caller's own reference; voucherd assigns the program id" })),
    owner_uuid: Type.Optional(Type.String({ maxLength: 64 })),
    owner_type: Type.Optional(literalUnion(OWNER_TYPES)),
    email_address: Type.Optional(Type.String({ maxLength: 254 })),
    mobile_number: Type.Optional(Type.String({ maxLength: 32 })),
    name: P.name,
    description: Type.Optional(P.description),
    memo: Type.Optional(P.expense_memo),
    starts_at: Type.Optional(P.starts_at),
    ends_at: Type.Optional(P.ends_at),
  },
  { additionalProperties: false },
);
export type IndividualProgramBody = Static<typeof IndividualProgramBody>;

/** A template as Get Voucher Template shows it (template.view.ts): Uber's names; absent optionals omitted. */
export const TemplateWire = Type.Object(
  {
    uuid: Type.String(),
    creator_uuid: Type.Optional(Type.String({ description: 'the client that created it' })),
    created_at: Type.Integer({ description: 'epoch milliseconds' }),
    is_disabled: Type.Boolean(),
    template_name: Type.String(),
    campaign_name: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    creator_email: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    timezone: Type.String(),
    currency_code: Type.Optional(Type.String()),
    is_fully_covered: Type.Boolean(),
    deductible: Type.Optional(Type.Number({ description: 'value_per_trip_deductible' })),
    percentage: Type.Optional(Type.Integer({ description: 'value_per_trip_percentage' })),
    code_scheme: Type.Optional(literalUnion(CODE_SCHEMES)),
    redemptions_per_code: Type.Optional(Type.Integer()),
    voucher_type: Type.Optional(literalUnion(VOUCHER_TYPES)),
    value_per_trip_max_amount: Type.Optional(Type.Number()),
    value_per_period_max_trips: Type.Optional(Type.Integer()),
    value_per_period_max_credit: Type.Optional(Type.Number()),
    value_per_period_max_amount: Type.Optional(Type.Number()),
    ...tripRuleWireFields,
  },
  { $id: 'VoucherProgramTemplate' },
);
