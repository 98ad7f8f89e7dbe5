import type { Insertable } from 'kysely';
import type { VoucherProgramsTable } from '../../db/schema.js';
import { AppError, invalidRequest } from '../../lib/errors.js';
import { DEFAULT_CODE_FORMAT, MAX_CODE_LENGTH, MIN_RANDOM_SYMBOLS, guessOdds, minimumSafeLength, type CodeFormat } from '../../lib/codes.js';
import { isCurrency, toMinorUnits } from '../../lib/money.js';
import { isTimeZone } from '../../lib/timezones.js';
import { isEmail } from '../../lib/email.js';
import { resolveLegacyAliases } from './program.aliases.js';
import { fieldsToColumns } from './program.fields.js';
import { optionalInteger, toInteger } from '../../http/schema-types.js';
import type { CreateProgramBody } from './program.schemas.js';

const HOUR_MS = 3_600_000;
const YEAR_MS = 366 * 24 * HOUR_MS;

export type ProgramFieldsRow = Omit<
  Insertable<VoucherProgramsTable>,
  'id' | 'organization_id' | 'created_at' | 'updated_at' | 'created_by_client_id'
>;

export interface ValidatedProgram {
  row: ProgramFieldsRow;
  numberOfCodes: number;
}

/** The program's fields as a create body would carry them (no first-batch size). */
export type ProgramFields = Omit<CreateProgramBody, 'number_of_codes' | 'code_format' | 'max_trips_per_client' | 'endmax_value_per_trips_at'>;

function money(value: number | undefined, field: string, currency: string): number | null {
  if (value === undefined) return null;
  const minor = toMinorUnits(value, currency);
  if (minor === undefined) throw invalidRequest('amount_precision', { field, currency }, field);
  return minor;
}

function positive(value: number | null, field: string): number | null {
  if (value !== null && value <= 0) throw invalidRequest('amount_positive', { field }, field);
  return value;
}

function checkLocations(body: ProgramFields): void {
  const restriction = body.trip_restriction_type;
  if (!restriction) {
    if (body.pickup_locations?.length || body.dropoff_locations?.length) {
      throw invalidRequest('locations_without_restriction', undefined, 'trip_restriction_type');
    }
    return;
  }
  const needsPickup = restriction !== 'DROPOFF_ONLY';
  const needsDropoff = restriction !== 'PICKUP_ONLY';
  const missing =
    (restriction === 'PICKUP_OR_DROPOFF' && !body.pickup_locations?.length && !body.dropoff_locations?.length) ||
    (restriction !== 'PICKUP_OR_DROPOFF' &&
      ((needsPickup && !body.pickup_locations?.length) || (needsDropoff && !body.dropoff_locations?.length)));
  if (missing) {
    throw new AppError('invalid_request', 'locations_required', { params: { type: restriction }, metadata: { field: 'trip_restriction_type' } });
  }
}

/**
 * Uber's program rules (docs/programs.md) on a complete set of fields — used by create, by PATCH on the
 * merged result, and by create-from-template. `checkStartWindow` applies the "starts_at no more
 * than 24 h in the past and at most a year ahead" rule (create, or a PATCH that moves starts_at).
 */
export function validateProgramFields(input: ProgramFields, now: number, options: { checkStartWindow: boolean }): ProgramFieldsRow {
  const body = resolveLegacyAliases(input);
  const currency = body.currency_code;
  if (!isCurrency(currency)) throw invalidRequest('invalid_currency', undefined, 'currency_code');
  const timezone = body.timezone ?? 'UTC';
  if (!isTimeZone(timezone)) throw invalidRequest('invalid_timezone', undefined, 'timezone');

  const startsAt = toInteger(body.starts_at, 'starts_at', 0, 8.64e15);
  const endsAt = toInteger(body.ends_at, 'ends_at', 0, 8.64e15);
  if (options.checkStartWindow) {
    if (startsAt < now - 24 * HOUR_MS) throw invalidRequest('starts_at_past', undefined, 'starts_at');
    if (startsAt > now + YEAR_MS) throw invalidRequest('starts_at_too_far', undefined, 'starts_at');
  }
  if (endsAt <= startsAt) throw invalidRequest('ends_before_start', undefined, 'ends_at');

  const multi = body.code_scheme === 'MULTI_CODE_SINGLE_REDEEM';
  const redemptionsPerCode = optionalInteger(body.redemptions_per_code, 'redemptions_per_code', 1, 1_000_000) ?? 1;
  if (multi && redemptionsPerCode !== 1) throw invalidRequest('redemptions_multi_code', undefined, 'redemptions_per_code');

  // Value rules: a per-trip cap or a period credit is required; the cap defaults to the credit
  // (Uber: "required unless value_per_period_max_credit is set, in which case it will be set to it").
  const percentage = optionalInteger(body.value_per_trip_percentage, 'value_per_trip_percentage', 5, 99);
  if (percentage !== undefined && body.value_per_trip_deductible !== undefined) {
    throw invalidRequest('percentage_with_deductible', undefined, 'value_per_trip_percentage');
  }
  // A per-period amount cap bounds the covered sum like the credit does, so it may stand in too.
  const credit = positive(money(body.value_per_period_max_credit, 'value_per_period_max_credit', currency), 'value_per_period_max_credit');
  const periodAmount = positive(
    money(body.value_per_period_max_amount, 'value_per_period_max_amount', currency),
    'value_per_period_max_amount',
  );
  const tripMax =
    positive(money(body.value_per_trip_max_amount, 'value_per_trip_max_amount', currency), 'value_per_trip_max_amount') ??
    (credit !== null && periodAmount !== null ? Math.min(credit, periodAmount) : credit ?? periodAmount);
  if (tripMax === null) throw invalidRequest('value_required', undefined, 'value_per_trip_max_amount');
  if (credit !== null && tripMax > credit) throw invalidRequest('trip_max_above_credit', undefined, 'value_per_trip_max_amount');
  if (periodAmount !== null && tripMax > periodAmount) throw invalidRequest('trip_max_above_period_amount', undefined, 'value_per_trip_max_amount');
  const creatorEmail = body.creator_email?.trim();
  if (creatorEmail && !isEmail(creatorEmail)) throw invalidRequest('invalid_creator_email', undefined, 'creator_email');
  checkLocations(body);

  // The table of program.fields.ts maps the rest; the values checked or defaulted above replace theirs.
  const columns = fieldsToColumns(body, 'program', { read: Number, write: (value, field) => money(value, field, currency) });
  return {
    ...(columns as ProgramFieldsRow),
    name: body.name.trim() || body.name,
    timezone,
    starts_at: startsAt,
    ends_at: endsAt,
    redemptions_per_code: redemptionsPerCode,
    voucher_type: body.voucher_type ?? 'PERSONAL_TRANSPORT',
    value_per_trip_max_amount: tripMax,
    value_per_trip_percentage: percentage ?? null,
    value_per_period_max_trips: optionalInteger(body.value_per_period_max_trips, 'value_per_period_max_trips', 1, 1_000_000) ?? null,
    value_per_period_max_credit: credit,
    value_recurrence_period: body.value_recurrence_period ?? 'SINGLE',
    value_per_period_max_amount: periodAmount,
    canceled_at: null,
  };
}

/** Create-time rules of docs/programs.md (Uber's rules) beyond what the schema checks. */
export function validateCreateProgram(
  body: CreateProgramBody,
  now: number,
  limits: { maxCodesPerRequest: number; codeMaxGuessOdds: number },
): ValidatedProgram {
  const { number_of_codes: requested, code_format: format, ...fields } = body;
  const row = validateProgramFields(fields, now, { checkStartWindow: true });
  let numberOfCodes = 1;
  if (row.code_scheme === 'MULTI_CODE_SINGLE_REDEEM') {
    if (requested === undefined) throw invalidRequest('number_of_codes_required', undefined, 'number_of_codes');
    numberOfCodes = toInteger(requested, 'number_of_codes', 1, limits.maxCodesPerRequest);
  } else if (requested !== undefined) {
    throw invalidRequest('number_of_codes_single', undefined, 'number_of_codes');
  }
  const codeFormat = validateCodeFormat(format);
  assertCodeSpace(codeFormat, numberOfCodes, limits.codeMaxGuessOdds);
  return { row: { ...row, code_prefix: codeFormat.prefix, code_length: codeFormat.length }, numberOfCodes };
}

/** (X) docs/programs.md: an optional prefix of alphabet symbols and a random length, 30 symbols at most. */
export function validateCodeFormat(format: CreateProgramBody['code_format']): CodeFormat {
  const prefix = format?.prefix ?? DEFAULT_CODE_FORMAT.prefix;
  const maxLength = MAX_CODE_LENGTH - prefix.length - 1;
  if (format?.length === undefined) return { prefix, length: DEFAULT_CODE_FORMAT.length };
  const length = toInteger(format.length, 'code_format.length', 1, Number.MAX_SAFE_INTEGER);
  if (length > maxLength) throw invalidRequest('code_format_too_long', { max: maxLength }, 'code_format.length');
  if (length < MIN_RANDOM_SYMBOLS) throw invalidRequest('field_range', { field: 'code_format.length', min: MIN_RANDOM_SYMBOLS, max: maxLength }, 'code_format.length');
  return { prefix, length };
}

/**
 * (X) docs/programs.md: refuse a format whose guessing odds (live codes ÷ code space) would exceed the
 * configured bound, and say the minimum safe length.
 */
export function assertCodeSpace(format: CodeFormat, liveCodes: number, maxOdds: number): void {
  if (guessOdds(liveCodes, format.length) <= maxOdds) return;
  throw new AppError('invalid_request', 'code_space_too_small', {
    params: { live: liveCodes, length: format.length, max: maxOdds, minimum: minimumSafeLength(liveCodes, maxOdds) },
    metadata: { field: 'code_format.length' },
  });
}
