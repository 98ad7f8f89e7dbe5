import type { Insertable } from 'kysely';
import type { VoucherProgramsTable } from '../../db/schema.js';
import { AppError, invalidRequest } from '../../lib/errors.js';
import { isCurrency, toMinorUnits } from '../../lib/money.js';
import { isTimeZone } from '../../lib/timezones.js';
import { optionalInteger, toInteger } from '../../http/schema-types.js';
import type { CreateProgramBody } from './program.schemas.js';

const HOUR_MS = 3_600_000;
const YEAR_MS = 366 * 24 * HOUR_MS;

export interface ValidatedProgram {
  row: Omit<Insertable<VoucherProgramsTable>, 'id' | 'organization_id' | 'created_at' | 'updated_at' | 'created_by_client_id'>;
  numberOfCodes: number;
}

function money(value: number | undefined, field: string, currency: string): number | null {
  if (value === undefined) return null;
  const minor = toMinorUnits(value, currency);
  if (minor === undefined) throw invalidRequest('amount_precision', { field, currency }, field);
  return minor;
}

/** Create-time rules of api.md §4 (Uber's rules) beyond what the schema checks. */
export function validateCreateProgram(
  body: CreateProgramBody,
  now: number,
  limits: { maxCodesPerRequest: number },
): ValidatedProgram {
  const currency = body.currency_code;
  if (!isCurrency(currency)) throw invalidRequest('invalid_currency', undefined, 'currency_code');
  const timezone = body.timezone ?? 'UTC';
  if (!isTimeZone(timezone)) throw invalidRequest('invalid_timezone', undefined, 'timezone');

  const startsAt = toInteger(body.starts_at, 'starts_at', 0, 8.64e15);
  const endsAt = toInteger(body.ends_at, 'ends_at', 0, 8.64e15);
  if (startsAt < now - 24 * HOUR_MS) throw invalidRequest('starts_at_past', undefined, 'starts_at');
  if (startsAt > now + YEAR_MS) throw invalidRequest('starts_at_too_far', undefined, 'starts_at');
  if (endsAt <= startsAt) throw invalidRequest('ends_before_start', undefined, 'ends_at');

  const multi = body.code_scheme === 'MULTI_CODE_SINGLE_REDEEM';
  let numberOfCodes: number;
  let redemptionsPerCode: number;
  if (multi) {
    if (body.number_of_codes === undefined) throw invalidRequest('number_of_codes_required', undefined, 'number_of_codes');
    numberOfCodes = toInteger(body.number_of_codes, 'number_of_codes', 1, limits.maxCodesPerRequest);
    redemptionsPerCode = optionalInteger(body.redemptions_per_code, 'redemptions_per_code', 1, 1_000_000) ?? 1;
    if (redemptionsPerCode !== 1) throw invalidRequest('redemptions_multi_code', undefined, 'redemptions_per_code');
  } else {
    if (body.number_of_codes !== undefined) throw invalidRequest('number_of_codes_single', undefined, 'number_of_codes');
    numberOfCodes = 1;
    redemptionsPerCode = optionalInteger(body.redemptions_per_code, 'redemptions_per_code', 1, 1_000_000) ?? 1;
  }

  const percentage = optionalInteger(body.value_per_trip_percentage, 'value_per_trip_percentage', 5, 99);
  if (percentage !== undefined && body.value_per_trip_deductible !== undefined) {
    throw invalidRequest('percentage_with_deductible', undefined, 'value_per_trip_percentage');
  }
  const restriction = body.trip_restriction_type;
  if (restriction) {
    const needsPickup = restriction !== 'DROPOFF_ONLY';
    const needsDropoff = restriction !== 'PICKUP_ONLY';
    const missing =
      (restriction === 'PICKUP_OR_DROPOFF' && !body.pickup_locations?.length && !body.dropoff_locations?.length) ||
      (restriction !== 'PICKUP_OR_DROPOFF' &&
        ((needsPickup && !body.pickup_locations?.length) || (needsDropoff && !body.dropoff_locations?.length)));
    if (missing) throw new AppError('invalid_request', 'locations_required', { params: { type: restriction }, metadata: { field: 'trip_restriction_type' } });
  }

  return {
    numberOfCodes,
    row: {
      name: body.name.trim() || body.name,
      description: body.description ?? null,
      currency_code: currency,
      timezone,
      starts_at: startsAt,
      ends_at: endsAt,
      code_scheme: body.code_scheme,
      redemptions_per_code: redemptionsPerCode,
      voucher_type: body.voucher_type ?? 'PERSONAL_TRANSPORT',
      value_per_trip_max_amount: money(body.value_per_trip_max_amount, 'value_per_trip_max_amount', currency),
      value_per_trip_deductible: money(body.value_per_trip_deductible, 'value_per_trip_deductible', currency),
      value_per_trip_percentage: percentage ?? null,
      value_per_period_max_trips: optionalInteger(body.value_per_period_max_trips, 'value_per_period_max_trips', 1, 1_000_000) ?? null,
      value_per_period_max_credit: money(body.value_per_period_max_credit, 'value_per_period_max_credit', currency),
      value_recurrence_period: body.value_recurrence_period ?? 'SINGLE',
      trip_restriction_type: restriction ?? null,
      pickup_locations: body.pickup_locations ? JSON.stringify(body.pickup_locations) : null,
      dropoff_locations: body.dropoff_locations ? JSON.stringify(body.dropoff_locations) : null,
      vehicle_category_types: body.vehicle_category_types ? JSON.stringify(body.vehicle_category_types) : null,
      expense_memo: body.expense_memo ?? null,
      canceled_at: null,
    },
  };
}
