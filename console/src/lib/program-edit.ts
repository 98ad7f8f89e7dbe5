/**
 * The edit-program form's rules (pure: tested in test/unit/console-program-edit.test.ts). Before a
 * program starts any of these fields may change; once it has started only changes in the riders'
 * favour are accepted (docs/programs.md, PATCH): a later end, a higher amount per trip, more
 * redemptions per code, any name. The server checks it all again and names the field of a refusal.
 */
import { dayToEpochMs } from './program-form.js';

export interface EditableProgram {
  name: string;
  starts_at: number;
  ends_at: number;
  value_per_trip_max_amount: number | null;
  redemptions_per_code: number | null;
  code_scheme: 'MULTI_CODE_SINGLE_REDEEM' | 'SINGLE_CODE_MULTI_REDEEM';
}

export interface EditValues {
  name: string;
  starts_on: string;
  ends_on: string;
  value_per_trip_max_amount: string;
  redemptions_per_code: string;
}

export type EditField = 'name' | 'starts_at' | 'ends_at' | 'value_per_trip_max_amount' | 'redemptions_per_code';
/** Message keys of messages.ts. */
export type EditRule = 'required' | 'name_too_long' | 'date' | 'ends_before_start' | 'positive_amount' | 'redemptions_range' | 'locked_after_start' | 'only_later' | 'only_higher' | 'nothing_changed';
export type EditErrors = Partial<Record<EditField | 'form', EditRule>>;

export interface PatchBody {
  name?: string;
  starts_at?: number;
  ends_at?: number;
  value_per_trip_max_amount?: number;
  redemptions_per_code?: number;
}

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` (UTC) of an epoch-ms instant, as <input type="date"> wants it. */
export function epochMsToDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The form's first values: the program as it is. */
export function editValuesOf(p: EditableProgram): EditValues {
  return {
    name: p.name,
    starts_on: epochMsToDay(p.starts_at),
    ends_on: epochMsToDay(p.ends_at),
    value_per_trip_max_amount: p.value_per_trip_max_amount === null ? '' : String(p.value_per_trip_max_amount),
    redemptions_per_code: p.redemptions_per_code === null ? '' : String(p.redemptions_per_code),
  };
}

export const hasStarted = (p: Pick<EditableProgram, 'starts_at'>, now: number) => now >= p.starts_at;

/**
 * The errors per field, or the PATCH body holding only what changed. An unchanged end day keeps the
 * stored end instant (which need not be the end of a UTC day); a changed one covers its whole day.
 */
export function checkProgramEdit(p: EditableProgram, v: EditValues, now: number): { errors: EditErrors; body: PatchBody | null } {
  const errors: EditErrors = {};
  const started = hasStarted(p, now);
  const body: PatchBody = {};
  const name = v.name.trim();
  if (!name) errors.name = 'required';
  else if (name.length > 255) errors.name = 'name_too_long';
  else if (name !== p.name) body.name = name;

  let startsAt = p.starts_at;
  if (v.starts_on !== epochMsToDay(p.starts_at)) {
    const day = dayToEpochMs(v.starts_on);
    if (started) errors.starts_at = 'locked_after_start';
    else if (day === null) errors.starts_at = v.starts_on ? 'date' : 'required';
    else body.starts_at = startsAt = day;
  }
  let endsAt = p.ends_at;
  if (v.ends_on !== epochMsToDay(p.ends_at)) {
    const day = dayToEpochMs(v.ends_on);
    if (day === null) errors.ends_at = v.ends_on ? 'date' : 'required';
    else {
      endsAt = day + DAY_MS - 1;
      if (started && endsAt < p.ends_at) errors.ends_at = 'only_later';
      else body.ends_at = endsAt;
    }
  }
  if (!errors.ends_at && !errors.starts_at && endsAt <= startsAt) errors.ends_at = 'ends_before_start';

  const amountText = v.value_per_trip_max_amount.trim();
  if (amountText !== (p.value_per_trip_max_amount === null ? '' : String(p.value_per_trip_max_amount))) {
    const amount = Number(amountText);
    if (!amountText) errors.value_per_trip_max_amount = 'required';
    else if (!Number.isFinite(amount) || amount <= 0) errors.value_per_trip_max_amount = 'positive_amount';
    else if (started && p.value_per_trip_max_amount !== null && amount < p.value_per_trip_max_amount) errors.value_per_trip_max_amount = 'only_higher';
    else if (amount !== p.value_per_trip_max_amount) body.value_per_trip_max_amount = amount;
  }
  if (p.code_scheme === 'SINGLE_CODE_MULTI_REDEEM') {
    const text = v.redemptions_per_code.trim();
    if (text !== (p.redemptions_per_code === null ? '' : String(p.redemptions_per_code))) {
      const n = /^\d{1,9}$/.test(text) ? Number(text) : null;
      if (n === null || n < 1) errors.redemptions_per_code = 'redemptions_range';
      else if (started && p.redemptions_per_code !== null && n < p.redemptions_per_code) errors.redemptions_per_code = 'only_higher';
      else body.redemptions_per_code = n;
    }
  }
  if (Object.keys(errors).length > 0) return { errors, body: null };
  if (Object.keys(body).length === 0) return { errors: { form: 'nothing_changed' }, body: null };
  return { errors, body };
}

/** Which edit field an API 400 names (`metadata.field`), or null for the top of the form. */
export function editFieldOfApiError(body: unknown): EditField | null {
  const field = (body as { metadata?: { field?: unknown } } | null)?.metadata?.field;
  const known: readonly string[] = ['name', 'starts_at', 'ends_at', 'value_per_trip_max_amount', 'redemptions_per_code'];
  return typeof field === 'string' && known.includes(field) ? (field as EditField) : null;
}
