/**
 * The create-program form's rules (pure: tested in test/unit/console-program-form.test.ts). The
 * server checks everything again; these catch the obvious before a round trip and build the body.
 */
export type Scheme = 'MULTI_CODE_SINGLE_REDEEM' | 'SINGLE_CODE_MULTI_REDEEM';

export interface ProgramFormValues {
  name: string;
  scheme: Scheme;
  currency_code: string;
  /** `YYYY-MM-DD` from <input type="date">, read as UTC midnight. */
  starts_on: string;
  ends_on: string;
  value_per_trip_max_amount: string;
  number_of_codes: string;
  redemptions_per_code: string;
}

export type FormField = 'name' | 'currency_code' | 'starts_at' | 'ends_at' | 'value_per_trip_max_amount' | 'number_of_codes' | 'redemptions_per_code';
export type FormErrors = Partial<Record<FormField, FormRule>>;
/** Message keys of messages.ts. */
export type FormRule = 'required' | 'name_too_long' | 'currency' | 'date' | 'ends_before_start' | 'positive_amount' | 'codes_range' | 'redemptions_range';

export const MAX_CODES_PER_REQUEST = 30_000;

export interface CreateProgramBody {
  name: string;
  currency_code: string;
  starts_at: number;
  ends_at: number;
  code_scheme: Scheme;
  value_per_trip_max_amount: number;
  number_of_codes?: number;
  redemptions_per_code?: number;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

export function dayToEpochMs(day: string): number | null {
  const m = DAY.exec(day);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const back = new Date(ms);
  if (back.getUTCFullYear() !== Number(m[1]) || back.getUTCMonth() !== Number(m[2]) - 1 || back.getUTCDate() !== Number(m[3])) return null;
  return ms;
}

function wholeNumber(value: string): number | null {
  return /^\d{1,9}$/.test(value.trim()) ? Number(value.trim()) : null;
}

/** The errors per field, or the request body when there is none. An end date covers its whole day. */
export function checkProgramForm(v: ProgramFormValues): { errors: FormErrors; body: CreateProgramBody | null } {
  const errors: FormErrors = {};
  const name = v.name.trim();
  if (!name) errors.name = 'required';
  else if (name.length > 255) errors.name = 'name_too_long';
  const currency = v.currency_code.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) errors.currency_code = 'currency';
  const startsAt = dayToEpochMs(v.starts_on);
  const endDay = dayToEpochMs(v.ends_on);
  if (startsAt === null) errors.starts_at = v.starts_on ? 'date' : 'required';
  if (endDay === null) errors.ends_at = v.ends_on ? 'date' : 'required';
  const endsAt = endDay === null ? null : endDay + 86_400_000 - 1;
  if (startsAt !== null && endsAt !== null && endsAt <= startsAt) errors.ends_at = 'ends_before_start';
  const amount = Number(v.value_per_trip_max_amount);
  if (!v.value_per_trip_max_amount.trim()) errors.value_per_trip_max_amount = 'required';
  else if (!Number.isFinite(amount) || amount <= 0) errors.value_per_trip_max_amount = 'positive_amount';
  let codes: number | null = null;
  let redemptions: number | null = null;
  if (v.scheme === 'MULTI_CODE_SINGLE_REDEEM') {
    codes = wholeNumber(v.number_of_codes);
    if (codes === null || codes < 1 || codes > MAX_CODES_PER_REQUEST) errors.number_of_codes = 'codes_range';
  } else {
    redemptions = wholeNumber(v.redemptions_per_code);
    if (redemptions === null || redemptions < 1) errors.redemptions_per_code = 'redemptions_range';
  }
  if (Object.keys(errors).length > 0) return { errors, body: null };
  return {
    errors,
    body: {
      name,
      currency_code: currency,
      starts_at: startsAt!,
      ends_at: endsAt!,
      code_scheme: v.scheme,
      value_per_trip_max_amount: amount,
      ...(codes !== null ? { number_of_codes: codes } : {}),
      ...(redemptions !== null ? { redemptions_per_code: redemptions } : {}),
    },
  };
}

/**
 * Which form field an API 400 belongs to: `metadata.field` names the body field (docs/compatibility.md);
 * a field the form has no control for is shown at the top of the form (null).
 */
export function fieldOfApiError(body: unknown): FormField | null {
  const field = (body as { metadata?: { field?: unknown } } | null)?.metadata?.field;
  if (typeof field !== 'string') return null;
  const known: Record<string, FormField> = {
    name: 'name',
    currency_code: 'currency_code',
    starts_at: 'starts_at',
    ends_at: 'ends_at',
    value_per_trip_max_amount: 'value_per_trip_max_amount',
    number_of_codes: 'number_of_codes',
    redemptions_per_code: 'redemptions_per_code',
  };
  return known[field] ?? null;
}
