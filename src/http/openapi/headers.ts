/**
 * The headers voucherd reads and writes beyond HTTP's own, as OpenAPI components. The route
 * schemas stay free of header validation (each header is checked where it is used: the
 * idempotency hook, the unknown-field walk, locale negotiation); these entries document them.
 */
export const HEADER_PARAMETERS = {
  AcceptLanguage: {
    name: 'Accept-Language',
    in: 'header',
    required: false,
    description: 'Language of `message` in error bodies (en-US, fr-FR, …; default en-US). The answer names it in Content-Language.',
    schema: { type: 'string', maxLength: 512, example: 'fr-FR, en;q=0.8' },
  },
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'A retry with the same key and body replays the first answer (marked `Idempotent-Replayed: true`) and executes once; the same key with another body → 422; while the first request runs → 409 with Retry-After. 1–255 visible ASCII characters (docs/compatibility.md).',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$', example: '3f1c8b8e-6a43-4a4e-9d38-1f1f0c6b2a77' },
  },
  Prefer: {
    name: 'Prefer',
    in: 'header',
    required: false,
    description:
      '`handling=strict` (RFC 7240): refuse unknown body or query fields with 400 instead of ignoring them; the answer then carries `Preference-Applied: handling=strict`.',
    schema: { type: 'string', maxLength: 256, example: 'handling=strict' },
  },
} as const;

export const RESPONSE_HEADERS = {
  RetryAfter: {
    description: 'Seconds to wait before retrying (RFC 9110 §10.2.3).',
    schema: { type: 'integer', minimum: 0, maximum: 86_400, example: 2 },
  },
  Location: {
    description: 'Where the created or started resource can be read.',
    schema: { type: 'string', maxLength: 2048 },
  },
  IdempotentReplayed: {
    description: '`true` when this answer is the stored answer of an earlier request with the same Idempotency-Key (or trip_id).',
    schema: { type: 'string', enum: ['true'] },
  },
  VoucherdIgnoredFields: {
    description: 'Comma-separated paths of request fields that were not recognized and were ignored (docs/compatibility.md, "Unknown fields").',
    schema: { type: 'string', maxLength: 2000, example: 'legacy_flag,guests[0].nickname' },
  },
  PreferenceApplied: {
    description: 'Present as `handling=strict` when a `Prefer: handling=strict` request was handled strictly.',
    schema: { type: 'string', enum: ['handling=strict'] },
  },
} as const;

export type ResponseHeaderName = keyof typeof RESPONSE_HEADERS;

/** Wire names of the response header components. */
export const RESPONSE_HEADER_WIRE: Record<ResponseHeaderName, string> = {
  RetryAfter: 'Retry-After',
  Location: 'Location',
  IdempotentReplayed: 'Idempotent-Replayed',
  VoucherdIgnoredFields: 'Voucherd-Ignored-Fields',
  PreferenceApplied: 'Preference-Applied',
};
