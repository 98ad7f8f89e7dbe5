import { fromMinorUnits } from '../../lib/money.js';
import type { ProgramRow } from './program.repository.js';
import { programStatus } from './program.status.js';
import { dropUndefined } from '../../lib/objects.js';

const DAY_MS = 86_400_000;

function periods(program: ProgramRow): number {
  switch (program.value_recurrence_period) {
    case 'DAILY':
      return Math.max(1, Math.ceil((program.ends_at - program.starts_at) / DAY_MS));
    case 'MONTHLY':
      return Math.max(1, Math.ceil((program.ends_at - program.starts_at) / (30 * DAY_MS)));
    default:
      return 1;
  }
}

/**
 * The most the program can cost, in minor units: per claim, the period credit (or per-trip cap ×
 * trips per period), times periods in the window, times claimable redemptions. Null when unbounded.
 */
export function totalExposureMinor(program: ProgramRow): number | null {
  const caps = [
    program.value_per_period_max_credit,
    program.value_per_period_max_amount,
    program.value_per_trip_max_amount !== null && program.value_per_period_max_trips !== null
      ? program.value_per_trip_max_amount * program.value_per_period_max_trips
      : null,
  ].filter((cap): cap is number => cap !== null && cap !== undefined).map(Number);
  if (caps.length === 0) return null;
  const perPeriod = Math.min(...caps);
  const claims = program.code_scheme === 'SINGLE_CODE_MULTI_REDEEM' ? program.redemptions_per_code : Number(program.total_number_of_codes);
  return perPeriod * periods(program) * claims;
}

function parseJson(value: string | null): unknown {
  return value === null ? undefined : JSON.parse(value);
}

/** The program as Uber's Get Voucher Program shows it (docs/programs.md); absent optionals are omitted. */
export function programToWire(program: ProgramRow, now: number) {
  const money = (minor: number | null) => (minor === null ? undefined : fromMinorUnits(minor, program.currency_code));
  const exposure = totalExposureMinor(program);
  const status = programStatus(program, now);
  const wire: Record<string, unknown> = {
    voucher_program_id: program.id,
    name: program.name,
    description: program.description ?? undefined,
    currency_code: program.currency_code,
    timezone: program.timezone,
    starts_at: program.starts_at,
    ends_at: program.ends_at,
    created_at: program.created_at,
    code_scheme: program.code_scheme,
    redemptions_per_code: program.redemptions_per_code,
    number_of_codes: program.code_scheme === 'MULTI_CODE_SINGLE_REDEEM' ? Number(program.total_number_of_codes) : undefined,
    voucher_type: program.voucher_type,
    value_per_trip_max_amount: money(program.value_per_trip_max_amount),
    value_per_trip_deductible: money(program.value_per_trip_deductible),
    value_per_trip_percentage: program.value_per_trip_percentage ?? (program.value_per_trip_deductible === null ? 100 : undefined),
    value_per_period_max_trips: program.value_per_period_max_trips ?? undefined,
    value_per_period_max_credit: money(program.value_per_period_max_credit),
    value_recurrence_period: program.value_recurrence_period ?? undefined,
    trip_restriction_type: program.trip_restriction_type ?? undefined,
    pickup_locations: parseJson(program.pickup_locations),
    dropoff_locations: parseJson(program.dropoff_locations),
    vehicle_category_types: parseJson(program.vehicle_category_types),
    expense_memo: program.expense_memo ?? undefined,
    creator_email: program.creator_email ?? undefined,
    value_per_period_max_amount: money(program.value_per_period_max_amount === null ? null : Number(program.value_per_period_max_amount)),
    // Legacy names Uber's own answer still carries (docs/compatibility.md).
    max_trips_per_client: program.value_per_period_max_trips ?? undefined,
    endmax_value_per_trips_at: money(program.value_per_trip_max_amount),
    status,
    is_disabled: status === 'CANCELED',
    usage_trip_count: Number(program.usage_trip_count),
    usage_voucher_claim_count: Number(program.usage_voucher_claim_count),
    usage_amount: fromMinorUnits(Number(program.usage_amount), program.currency_code),
    usage_amount_currency: program.currency_code,
    total_dollar_exposure: exposure === null ? undefined : fromMinorUnits(exposure, program.currency_code),
    total_number_of_codes: Number(program.total_number_of_codes),
    code_format: { prefix: program.code_prefix, length: program.code_length },
  };
  dropUndefined(wire);
  return wire;
}
