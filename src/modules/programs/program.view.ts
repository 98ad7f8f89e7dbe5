import { fromMinorUnits } from '../../lib/money.js';
import type { ProgramRow } from './program.repository.js';
import { programStatus } from './program.status.js';
import { dropUndefined } from '../../lib/objects.js';
import { programMoney, rowToWire } from './program.fields.js';

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

/** The program as Uber's Get Voucher Program shows it (docs/programs.md); absent optionals are omitted. */
export function programToWire(program: ProgramRow, now: number) {
  const exposure = totalExposureMinor(program);
  const status = programStatus(program, now);
  const wire: Record<string, unknown> = {
    voucher_program_id: program.id,
    created_at: program.created_at,
    number_of_codes: program.code_scheme === 'MULTI_CODE_SINGLE_REDEEM' ? Number(program.total_number_of_codes) : undefined,
    ...rowToWire(program, 'program', programMoney(program.currency_code)),
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

/** The wire view the program services hand their routes. */
export type ProgramView = ReturnType<typeof programToWire>;
