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

/** The value-rule fields a program and a template share (docs/console.md, Templates). */
export interface ValueRuleValues {
  scheme: Scheme;
  currency_code: string;
  value_per_trip_max_amount: string;
  redemptions_per_code: string;
}
export type ValueRuleField = 'currency_code' | 'value_per_trip_max_amount' | 'redemptions_per_code';
export interface ValueRuleBody {
  code_scheme: Scheme;
  currency_code: string;
  value_per_trip_max_amount: number;
  redemptions_per_code?: number;
}

/** The shared rules: a currency code, a positive amount per trip, redemptions per single code. */
export function checkValueRules(v: ValueRuleValues): { errors: Partial<Record<ValueRuleField, FormRule>>; body: ValueRuleBody | null } {
  const errors: Partial<Record<ValueRuleField, FormRule>> = {};
  const currency = v.currency_code.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) errors.currency_code = 'currency';
  const amount = Number(v.value_per_trip_max_amount);
  if (!v.value_per_trip_max_amount.trim()) errors.value_per_trip_max_amount = 'required';
  else if (!Number.isFinite(amount) || amount <= 0) errors.value_per_trip_max_amount = 'positive_amount';
  let redemptions: number | null = null;
  if (v.scheme === 'SINGLE_CODE_MULTI_REDEEM') {
    redemptions = wholeNumber(v.redemptions_per_code);
    if (redemptions === null || redemptions < 1) errors.redemptions_per_code = 'redemptions_range';
  }
  if (Object.keys(errors).length > 0) return { errors, body: null };
  return {
    errors,
    body: { code_scheme: v.scheme, currency_code: currency, value_per_trip_max_amount: amount, ...(redemptions !== null ? { redemptions_per_code: redemptions } : {}) },
  };
}

/** A required name of at most 255 characters (a program's, a template's). */
export function checkName(value: string): { name: string; rule?: FormRule } {
  const name = value.trim();
  if (!name) return { name, rule: 'required' };
  return name.length > 255 ? { name, rule: 'name_too_long' } : { name };
}

/** The number of codes a Create (or a create from template) may ask for. */
export function checkCodeCount(value: string): number | null {
  const codes = wholeNumber(value);
  return codes === null || codes < 1 || codes > MAX_CODES_PER_REQUEST ? null : codes;
}

/** A start and end day: the end covers its whole day and must be after the start. */
export function checkWindow(startsOn: string, endsOn: string): { errors: FormErrors; startsAt: number | null; endsAt: number | null } {
  const errors: FormErrors = {};
  const startsAt = dayToEpochMs(startsOn);
  const endDay = dayToEpochMs(endsOn);
  if (startsAt === null) errors.starts_at = startsOn ? 'date' : 'required';
  if (endDay === null) errors.ends_at = endsOn ? 'date' : 'required';
  const endsAt = endDay === null ? null : endDay + 86_400_000 - 1;
  if (startsAt !== null && endsAt !== null && endsAt <= startsAt) errors.ends_at = 'ends_before_start';
  return { errors, startsAt, endsAt };
}

/** The errors per field, or the request body when there is none. An end date covers its whole day. */
export function checkProgramForm(v: ProgramFormValues): { errors: FormErrors; body: CreateProgramBody | null } {
  const errors: FormErrors = {};
  const { name, rule } = checkName(v.name);
  if (rule) errors.name = rule;
  const window = checkWindow(v.starts_on, v.ends_on);
  Object.assign(errors, window.errors);
  const rules = checkValueRules(v);
  Object.assign(errors, rules.errors);
  let codes: number | null = null;
  if (v.scheme === 'MULTI_CODE_SINGLE_REDEEM') {
    codes = checkCodeCount(v.number_of_codes);
    if (codes === null) errors.number_of_codes = 'codes_range';
  }
  if (Object.keys(errors).length > 0 || !rules.body) return { errors, body: null };
  return {
    errors,
    body: {
      name,
      currency_code: rules.body.currency_code,
      starts_at: window.startsAt!,
      ends_at: window.endsAt!,
      code_scheme: v.scheme,
      value_per_trip_max_amount: rules.body.value_per_trip_max_amount,
      ...(codes !== null ? { number_of_codes: codes } : {}),
      ...(rules.body.redemptions_per_code !== undefined ? { redemptions_per_code: rules.body.redemptions_per_code } : {}),
    },
  };
}

/**
 * Which form field an API 400 belongs to: `metadata.field` names the body field (docs/compatibility.md);
 * a field the form has no control for is shown at the top of the form (null).
 */
export function fieldOfApiError(body: unknown): FormField | null {
  const field = apiErrorField(body);
  if (field === null) return null;
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

/** `metadata.field` of an API error body, or null. */
export function apiErrorField(body: unknown): string | null {
  const field = (body as { metadata?: { field?: unknown } } | null)?.metadata?.field;
  return typeof field === 'string' ? field : null;
}
