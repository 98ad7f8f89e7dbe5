import { Type, type Static } from '@sinclair/typebox';
import { IntegerLike } from '../../http/schema-types.js';

export const GenerateBody = Type.Object(
  { number_of_codes: IntegerLike('Number of codes to be generated (1 to MAX_CODES_PER_REQUEST)') },
  { additionalProperties: false },
);
export type GenerateBody = Static<typeof GenerateBody>;

export const GenerationSummary = Type.Object({
  voucher_program_id: Type.String(),
  generation_id: Type.String(),
  status: Type.String(),
  number_of_codes: Type.Integer(),
  total_number_of_codes: Type.Integer(),
});

export const ListCodesQuery = Type.Object({
  include_usage: Type.Optional(Type.Boolean()),
  limit: Type.Optional(Type.Integer({ minimum: 1 })),
  page_token: Type.Optional(Type.String({ maxLength: 128 })),
});
export type ListCodesQuery = Static<typeof ListCodesQuery>;

export const GenerationParams = Type.Object({
  organization_id: Type.String({ maxLength: 64 }),
  voucher_program_id: Type.String({ maxLength: 64 }),
  generation_id: Type.String({ maxLength: 64 }),
});
export type GenerationParams = Static<typeof GenerationParams>;
