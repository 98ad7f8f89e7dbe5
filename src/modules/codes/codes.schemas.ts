import { Type, type Static } from '@sinclair/typebox';
import { BoundedIntegerLike, IntegerLike, enumOf, pathIds } from '../../http/schema-types.js';

export const CODE_STATUSES = ['AVAILABLE', 'REDEEMED', 'CANCELED'] as const;

export const GenerateBody = Type.Object(
  { number_of_codes: IntegerLike('Number of codes to be generated (1 to MAX_CODES_PER_REQUEST)') },
  { additionalProperties: false },
);
export type GenerateBody = Static<typeof GenerateBody>;

export const ListCodesQuery = Type.Object({
  include_usage: Type.Optional(Type.Boolean()),
  limit: Type.Optional(Type.Integer({ minimum: 1 })),
  page_token: Type.Optional(Type.String({ maxLength: 128, description: 'from next_page_token; only valid with the same filters' })),
  status: Type.Optional(enumOf(CODE_STATUSES, 'only codes of this status (X; any letter case)')),
  generation_id: Type.Optional(Type.String({ maxLength: 64, description: 'only codes of this generation (X)' })),
  code: Type.Optional(Type.String({ maxLength: 64, description: 'only the code with this text, compared as redemption does: letter case, spaces and dashes ignored (X)' })),
});
export type ListCodesQuery = Static<typeof ListCodesQuery>;

export const GenerationParams = pathIds('organization_id', 'voucher_program_id', 'generation_id');
export type GenerationParams = Static<typeof GenerationParams>;

const GenerationStatus = Type.Union([Type.Literal('COMPLETED'), Type.Literal('IN_PROGRESS')]);

/** Generate Voucher Codes' answer: 200 when the codes are committed, 202 while a background job runs. */
export const GenerationSummaryWire = Type.Object(
  {
    voucher_program_id: Type.String(),
    generation_id: Type.String(),
    status: GenerationStatus,
    number_of_codes: Type.Integer({ description: 'codes requested by this call' }),
    total_number_of_codes: Type.Integer({ description: "the program's codes once this generation is done" }),
  },
);

/** Documentation of the generate body with the bounds `toInteger` enforces (1 … MAX_CODES_PER_REQUEST). */
export const generateBodyDocumentation = (max: number) =>
  Type.Object({ number_of_codes: BoundedIntegerLike(1, max, 'Number of codes to generate (MAX_CODES_PER_REQUEST)') }, { additionalProperties: false });

/** One code of Get Voucher Codes (code.view.ts). */
export const CodeWire = Type.Object(
  {
    code_id: Type.String(),
    code_text: Type.String(),
    redemption_link: Type.String(),
    max_num_redemptions: Type.Integer(),
    canceled_at: Type.Optional(Type.Integer({ description: 'epoch milliseconds' })),
    usage_count: Type.Optional(Type.Integer({ description: 'include_usage=true only' })),
    usage_amount: Type.Optional(Type.Number({ description: 'include_usage=true only' })),
    currency_code: Type.Optional(Type.String({ description: 'include_usage=true only' })),
    status: Type.Union([Type.Literal('AVAILABLE'), Type.Literal('REDEEMED'), Type.Literal('CANCELED')]),
    created_at: Type.Integer({ description: 'epoch milliseconds' }),
    generation_id: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'VoucherCode' },
);

export const CodePage = Type.Object({
  total_number_of_codes: Type.Integer(),
  codes: Type.Array(CodeWire),
  next_page_token: Type.Optional(Type.String({ description: 'absent on the last page; paged answers only' })),
});

export const GenerationWire = Type.Object({
  generation_id: Type.String(),
  voucher_program_id: Type.String(),
  status: Type.Union([Type.Literal('IN_PROGRESS'), Type.Literal('COMPLETED'), Type.Literal('FAILED')]),
  requested: Type.Integer(),
  generated: Type.Integer(),
  mode: Type.Union([Type.Literal('INLINE'), Type.Literal('BACKGROUND')]),
  created_at: Type.Integer(),
  finished_at: Type.Optional(Type.Integer()),
});

export const CancelCodesAnswer = Type.Object({
  cancelCodeFailures: Type.Array(
    Type.Object({
      code_uuid: Type.String(),
      reason: Type.Union([Type.Literal('not_found'), Type.Literal('already_canceled'), Type.Literal('already_redeemed')]),
    }),
  ),
});

// Per call of cancel and distribute.
export const MAX_CODES_PER_CALL = 10_000;

/** Code ids of one call (cancel, distribute). */
export const CodeIds = Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: MAX_CODES_PER_CALL });

/** Cancel Voucher Codes (docs/programs.md): up to 10,000 code ids per call. */
export const CancelCodesBody = Type.Object({ codes: CodeIds }, { additionalProperties: false });
export type CancelCodesBody = Static<typeof CancelCodesBody>;
