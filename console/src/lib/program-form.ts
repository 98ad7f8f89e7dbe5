/**
 * The create-program form's rules (pure: tested in test/unit/console-program-form.test.ts). The
 * server checks everything again; these catch the obvious before a round trip and build the body.
 */
import { CODE_ALPHABET, MAX_CODE_LENGTH, MIN_RANDOM_SYMBOLS, RANDOM_SYMBOLS, guessOdds, minimumSafeLength } from '../../../src/lib/codes.js';

export type Scheme = 'MULTI_CODE_SINGLE_REDEEM' | 'SINGLE_CODE_MULTI_REDEEM';
export type RiderPays = 'nothing' | 'deductible' | 'percentage';
export type Recurrence = 'SINGLE' | 'DAILY' | 'MONTHLY';
export type TripRestriction = '' | 'PICKUP_OR_DROPOFF' | 'PICKUP_AND_DROPOFF' | 'PICKUP_ONLY' | 'DROPOFF_ONLY';
export const TRIP_RESTRICTIONS: TripRestriction[] = ['', 'PICKUP_OR_DROPOFF', 'PICKUP_AND_DROPOFF', 'PICKUP_ONLY', 'DROPOFF_ONLY'];
export const RECURRENCES: Recurrence[] = ['SINGLE', 'DAILY', 'MONTHLY'];

/** One geofence as typed: a point, a radius in meters and an address (docs/programs.md). */
export interface GeofenceValues {
  latitude: string;
  longitude: string;
  radius: string;
  address: string;
}

export const EMPTY_GEOFENCE: GeofenceValues = { latitude: '', longitude: '', radius: '200', address: '' };

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
  /** The wizard's further steps; absent means "not asked" (the API's defaults apply). */
  description?: string;
  /** IANA name; the start and end days are read in it (UTC when absent). */
  timezone?: string;
  rider_pays?: RiderPays;
  value_per_trip_deductible?: string;
  value_per_trip_percentage?: string;
  value_per_period_max_trips?: string;
  value_per_period_max_credit?: string;
  value_recurrence_period?: Recurrence;
  trip_restriction_type?: TripRestriction;
  pickup_locations?: GeofenceValues[];
  dropoff_locations?: GeofenceValues[];
  code_prefix?: string;
  code_length?: string;
}

export type FormField =
  | 'name'
  | 'description'
  | 'currency_code'
  | 'timezone'
  | 'starts_at'
  | 'ends_at'
  | 'value_per_trip_max_amount'
  | 'value_per_trip_deductible'
  | 'value_per_trip_percentage'
  | 'value_per_period_max_trips'
  | 'value_per_period_max_credit'
  | 'trip_restriction_type'
  | 'pickup_locations'
  | 'dropoff_locations'
  | 'number_of_codes'
  | 'redemptions_per_code'
  | 'code_format.prefix'
  | 'code_format.length';
export type FormErrors = Partial<Record<FormField, FormRule>>;
/** Message keys of messages.ts. */
export type FormRule =
  | 'required'
  | 'name_too_long'
  | 'currency'
  | 'date'
  | 'ends_before_start'
  | 'positive_amount'
  | 'codes_range'
  | 'redemptions_range'
  | 'description_too_long'
  | 'percentage_range'
  | 'trips_range'
  | 'trip_max_above_credit'
  | 'geofence'
  | 'geofence_required'
  | 'prefix'
  | 'code_length'
  | 'code_space';

/** The wizard's steps in order, and the step each field is asked on (an API 400 opens its step). */
export const STEPS = ['basics', 'value', 'where', 'codes', 'review'] as const;
export type Step = (typeof STEPS)[number];
export const STEP_OF_FIELD: Record<FormField, Step> = {
  name: 'basics',
  description: 'basics',
  currency_code: 'basics',
  timezone: 'basics',
  starts_at: 'basics',
  ends_at: 'basics',
  value_per_trip_max_amount: 'value',
  value_per_trip_deductible: 'value',
  value_per_trip_percentage: 'value',
  value_per_period_max_trips: 'value',
  value_per_period_max_credit: 'value',
  trip_restriction_type: 'where',
  pickup_locations: 'where',
  dropoff_locations: 'where',
  number_of_codes: 'codes',
  redemptions_per_code: 'codes',
  'code_format.prefix': 'codes',
  'code_format.length': 'codes',
};

/** The largest guessing odds the API accepts by default (CODE_MAX_GUESS_ODDS, docs/programs.md). */
export const DEFAULT_MAX_GUESS_ODDS = 1e-9;

export interface CodeSpace {
  /** Chance that one random guess of the right shape hits one of the codes. */
  odds: number;
  /** The smallest random length that keeps the odds within `maxOdds` (the API's own rule). */
  minimumLength: number;
  safe: boolean;
}

/** Live feedback for the code format: the same rule the API applies when the program is created. */
export function codeSpace(liveCodes: number, length: number, maxOdds = DEFAULT_MAX_GUESS_ODDS): CodeSpace {
  const minimumLength = minimumSafeLength(Math.max(1, liveCodes), maxOdds);
  const odds = guessOdds(Math.max(1, liveCodes), length);
  return { odds, minimumLength, safe: odds <= maxOdds };
}

export { MIN_RANDOM_SYMBOLS, RANDOM_SYMBOLS };

export const MAX_CODES_PER_REQUEST = 30_000;

export interface CreateProgramBody {
  name: string;
  currency_code: string;
  starts_at: number;
  ends_at: number;
  code_scheme: Scheme;
  value_per_trip_max_amount?: number;
  number_of_codes?: number;
  redemptions_per_code?: number;
  description?: string;
  timezone?: string;
  value_per_trip_deductible?: number;
  value_per_trip_percentage?: number;
  value_per_period_max_trips?: number;
  value_per_period_max_credit?: number;
  value_recurrence_period?: Recurrence;
  trip_restriction_type?: Exclude<TripRestriction, ''>;
  pickup_locations?: Geofence[];
  dropoff_locations?: Geofence[];
  code_format?: { prefix?: string; length?: number };
}

export interface Geofence {
  latitude: number;
  longitude: number;
  radius: number;
  address: string;
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

/**
 * Epoch ms of midnight starting `day` in the IANA zone `timeZone` (the program's own days). The
 * zone's offset is read at the UTC midnight and once more at the first guess, which settles days
 * on which the offset changes.
 */
export function dayStartInZone(day: string, timeZone: string | undefined): number | null {
  const utc = dayToEpochMs(day);
  if (utc === null || !timeZone || timeZone === 'UTC') return utc;
  let guess = utc - offsetMs(utc, timeZone);
  guess = utc - offsetMs(guess, timeZone);
  return guess;
}

function offsetMs(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second')) - Math.floor(at / 1000) * 1000;
}

/** A positive amount, or an error; undefined when the box is empty and the field is optional. */
function amountOf(value: string | undefined): number | 'bad' | undefined {
  if (value === undefined || !value.trim()) return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : 'bad';
}

function geofencesOf(rows: GeofenceValues[] | undefined): Geofence[] | 'bad' | undefined {
  const filled = (rows ?? []).filter((r) => r.latitude.trim() || r.longitude.trim() || r.address.trim());
  if (filled.length === 0) return undefined;
  const out: Geofence[] = [];
  for (const r of filled) {
    const latitude = Number(r.latitude);
    const longitude = Number(r.longitude);
    const radius = wholeNumber(r.radius);
    if (!r.latitude.trim() || !Number.isFinite(latitude) || latitude < -90 || latitude > 90) return 'bad';
    if (!r.longitude.trim() || !Number.isFinite(longitude) || longitude < -180 || longitude > 180) return 'bad';
    if (radius === null || radius < 20 || radius > 100_000 || !r.address.trim()) return 'bad';
    out.push({ latitude, longitude, radius, address: r.address.trim() });
  }
  return out;
}

const PREFIX = new RegExp(`^[${CODE_ALPHABET}]{0,8}$`);

/** The errors per field, or the request body when there is none. An end date covers its whole day. */
export function checkProgramForm(v: ProgramFormValues, maxOdds = DEFAULT_MAX_GUESS_ODDS): { errors: FormErrors; body: CreateProgramBody | null } {
  const errors: FormErrors = {};
  const { name, rule: nameRule } = checkName(v.name);
  if (nameRule) errors.name = nameRule;
  const description = v.description?.trim() ?? '';
  if (description.length > 2000) errors.description = 'description_too_long';
  const currency = checkCurrency(v.currency_code);
  if (currency === null) errors.currency_code = 'currency';
  const timezone = v.timezone?.trim() || undefined;
  const { errors: windowErrors, startsAt, endsAt } = checkWindow(v.starts_on, v.ends_on, timezone);
  Object.assign(errors, windowErrors);

  // Value: a per-trip cap or a credit per period is needed; the cap defaults to the credit (the API's rule).
  const credit = amountOf(v.value_per_period_max_credit);
  if (credit === 'bad') errors.value_per_period_max_credit = 'positive_amount';
  const amount = amountOf(v.value_per_trip_max_amount);
  if (amount === 'bad') errors.value_per_trip_max_amount = 'positive_amount';
  else if (amount === undefined && credit === undefined) errors.value_per_trip_max_amount = 'required';
  else if (typeof amount === 'number' && typeof credit === 'number' && amount > credit) errors.value_per_trip_max_amount = 'trip_max_above_credit';
  const pays = v.rider_pays ?? 'nothing';
  let deductible: number | undefined;
  let percentage: number | undefined;
  if (pays === 'deductible') {
    const d = amountOf(v.value_per_trip_deductible);
    if (d === undefined) errors.value_per_trip_deductible = 'required';
    else if (d === 'bad') errors.value_per_trip_deductible = 'positive_amount';
    else deductible = d;
  } else if (pays === 'percentage') {
    const p = wholeNumber(v.value_per_trip_percentage ?? '');
    if (p === null || p < 5 || p > 99) errors.value_per_trip_percentage = 'percentage_range';
    else percentage = p;
  }
  let trips: number | undefined;
  if (v.value_per_period_max_trips?.trim()) {
    const n = wholeNumber(v.value_per_period_max_trips);
    if (n === null || n < 1 || n > 1_000_000) errors.value_per_period_max_trips = 'trips_range';
    else trips = n;
  }

  // Where: the restriction says which lists must have a geofence.
  const restriction = v.trip_restriction_type ?? '';
  const pickups = geofencesOf(v.pickup_locations);
  const dropoffs = geofencesOf(v.dropoff_locations);
  if (pickups === 'bad') errors.pickup_locations = 'geofence';
  if (dropoffs === 'bad') errors.dropoff_locations = 'geofence';
  if (restriction) {
    const needsPickup = restriction === 'PICKUP_ONLY' || restriction === 'PICKUP_AND_DROPOFF';
    const needsDropoff = restriction === 'DROPOFF_ONLY' || restriction === 'PICKUP_AND_DROPOFF';
    if (restriction === 'PICKUP_OR_DROPOFF' && !pickups && !dropoffs) errors.pickup_locations = 'geofence_required';
    if (needsPickup && !pickups) errors.pickup_locations ??= 'geofence_required';
    if (needsDropoff && !dropoffs) errors.dropoff_locations ??= 'geofence_required';
  }

  let codes: number | null = null;
  let redemptions: number | null = null;
  if (v.scheme === 'MULTI_CODE_SINGLE_REDEEM') {
    codes = checkCodeCount(v.number_of_codes);
    if (codes === null) errors.number_of_codes = 'codes_range';
  } else {
    redemptions = checkRedemptions(v.redemptions_per_code);
    if (redemptions === null) errors.redemptions_per_code = 'redemptions_range';
  }
  const prefix = (v.code_prefix ?? '').trim().toUpperCase();
  if (!PREFIX.test(prefix)) errors['code_format.prefix'] = 'prefix';
  let length: number | undefined;
  if (v.code_length?.trim()) {
    const n = wholeNumber(v.code_length);
    if (n === null || n < MIN_RANDOM_SYMBOLS || n > MAX_CODE_LENGTH - prefix.length - 1) errors['code_format.length'] = 'code_length';
    else {
      length = n;
      if (!codeSpace(codes ?? 1, n, maxOdds).safe) errors['code_format.length'] = 'code_space';
    }
  }

  if (Object.keys(errors).length > 0) return { errors, body: null };
  const locations = restriction
    ? { trip_restriction_type: restriction, ...(pickups ? { pickup_locations: pickups as Geofence[] } : {}), ...(dropoffs ? { dropoff_locations: dropoffs as Geofence[] } : {}) }
    : {};
  const format = prefix || length !== undefined ? { code_format: { ...(prefix ? { prefix } : {}), ...(length !== undefined ? { length } : {}) } } : {};
  return {
    errors,
    body: {
      name,
      currency_code: currency!,
      starts_at: startsAt!,
      ends_at: endsAt!,
      code_scheme: v.scheme,
      ...(typeof amount === 'number' ? { value_per_trip_max_amount: amount } : {}),
      ...(codes !== null ? { number_of_codes: codes } : {}),
      ...(redemptions !== null ? { redemptions_per_code: redemptions } : {}),
      ...(description ? { description } : {}),
      ...(timezone ? { timezone } : {}),
      ...(deductible !== undefined ? { value_per_trip_deductible: deductible } : {}),
      ...(percentage !== undefined ? { value_per_trip_percentage: percentage } : {}),
      ...(trips !== undefined ? { value_per_period_max_trips: trips } : {}),
      ...(typeof credit === 'number' ? { value_per_period_max_credit: credit } : {}),
      ...(v.value_recurrence_period && v.value_recurrence_period !== 'SINGLE' ? { value_recurrence_period: v.value_recurrence_period } : {}),
      ...locations,
      ...format,
    } as CreateProgramBody,
  };
}

function addDay(day: string): string {
  const ms = dayToEpochMs(day);
  return ms === null ? day : new Date(ms + 86_400_000).toISOString().slice(0, 10);
}

/**
 * Which form field an API 400 belongs to: `metadata.field` names the body field (docs/compatibility.md);
 * a field the form has no control for is shown at the top of the form (null).
 */
export function fieldOfApiError(body: unknown): FormField | null {
  const field = apiErrorField(body);
  if (field === null) return null;
  const known = Object.keys(STEP_OF_FIELD) as FormField[];
  if ((known as string[]).includes(field)) return field as FormField;
  // "pickup_locations.0.radius" and the like: the list's field.
  const list = known.find((k) => field.startsWith(`${k}.`) || field.startsWith(`${k}[`));
  if (list) return list;
  if (field === 'value_per_period_max_amount' || field === 'value_recurrence_period') return 'value_per_period_max_credit';
  return null;
}

/** `metadata.field` of an API error body, or null. */
export function apiErrorField(body: unknown): string | null {
  const field = (body as { metadata?: { field?: unknown } } | null)?.metadata?.field;
  return typeof field === 'string' ? field : null;
}

/** The value-rule fields a template form shares with the wizard (docs/console.md, Templates). */
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
  const currency = checkCurrency(v.currency_code);
  if (currency === null) errors.currency_code = 'currency';
  const amount = amountOf(v.value_per_trip_max_amount);
  if (amount === undefined) errors.value_per_trip_max_amount = 'required';
  else if (amount === 'bad') errors.value_per_trip_max_amount = 'positive_amount';
  let redemptions: number | null = null;
  if (v.scheme === 'SINGLE_CODE_MULTI_REDEEM') {
    redemptions = checkRedemptions(v.redemptions_per_code);
    if (redemptions === null) errors.redemptions_per_code = 'redemptions_range';
  }
  if (Object.keys(errors).length > 0 || typeof amount !== 'number' || currency === null) return { errors, body: null };
  return {
    errors,
    body: { code_scheme: v.scheme, currency_code: currency, value_per_trip_max_amount: amount, ...(redemptions !== null ? { redemptions_per_code: redemptions } : {}) },
  };
}

/** An ISO 4217-shaped currency code, upper-cased, or null. */
export function checkCurrency(value: string): string | null {
  const currency = value.trim().toUpperCase();
  return /^[A-Z]{3}$/.test(currency) ? currency : null;
}

/** Redemptions of a single code: a whole number, at least 1, or null. */
export function checkRedemptions(value: string): number | null {
  const redemptions = wholeNumber(value);
  return redemptions === null || redemptions < 1 ? null : redemptions;
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

/** A start and end day in a time zone (UTC when absent): the end covers its whole day and must be after the start. */
export function checkWindow(startsOn: string, endsOn: string, timeZone?: string): { errors: FormErrors; startsAt: number | null; endsAt: number | null } {
  const errors: FormErrors = {};
  const startsAt = dayStartInZone(startsOn, timeZone);
  const endDay = dayStartInZone(endsOn, timeZone);
  if (startsAt === null) errors.starts_at = startsOn ? 'date' : 'required';
  if (endDay === null) errors.ends_at = endsOn ? 'date' : 'required';
  const nextDay = endDay === null ? null : dayStartInZone(addDay(endsOn), timeZone);
  const endsAt = nextDay === null ? null : nextDay - 1;
  if (startsAt !== null && endsAt !== null && endsAt <= startsAt) errors.ends_at = 'ends_before_start';
  return { errors, startsAt, endsAt };
}
