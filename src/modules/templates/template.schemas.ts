import { Type, type Static } from '@sinclair/typebox';
import { IntegerLike } from '../../http/schema-types.js';
import { CODE_SCHEMES, CreateProgramBody, RECURRENCE_PERIODS, TRIP_RESTRICTION_TYPES, VOUCHER_TYPES } from '../programs/program.schemas.js';

const literalUnion = <T extends readonly string[]>(values: T) => Type.Union(values.map((v) => Type.Literal(v)));
const P = CreateProgramBody.properties;

/** Fields a template may preset (Uber's Create Voucher Template request names). */
const templateFields = {
  campaign_name: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'default program name shown to riders' })),
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

export const TemplateParams = Type.Object({
  organization_id: Type.String({ maxLength: 64 }),
  template_id: Type.String({ maxLength: 64 }),
});
export type TemplateParams = Static<typeof TemplateParams>;

const { campaign_name: _campaign, is_fully_covered: _covered, ...overridable } = templateFields;

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
