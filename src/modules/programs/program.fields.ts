import { fromMinorUnits } from '../../lib/money.js';
import type { ProgramRow } from './program.repository.js';
import type { ProgramFields } from './program.validation.js';
import { dropUndefined } from '../../lib/objects.js';

/**
 * A stored program back in create-body form, so a PATCH can be merged over it and the merged
 * whole checked with the same rules as a create (docs/programs.md).
 */
export function programToFields(row: ProgramRow): ProgramFields {
  const money = (minor: number | null) => (minor === null ? undefined : fromMinorUnits(Number(minor), row.currency_code));
  const json = (value: string | null) => (value === null ? undefined : JSON.parse(value));
  const fields: Record<string, unknown> = {
    name: row.name,
    description: row.description ?? undefined,
    currency_code: row.currency_code,
    timezone: row.timezone,
    starts_at: Number(row.starts_at),
    ends_at: Number(row.ends_at),
    code_scheme: row.code_scheme,
    redemptions_per_code: row.redemptions_per_code,
    voucher_type: row.voucher_type,
    value_per_trip_max_amount: money(row.value_per_trip_max_amount),
    value_per_trip_deductible: money(row.value_per_trip_deductible),
    value_per_trip_percentage: row.value_per_trip_percentage ?? undefined,
    value_per_period_max_trips: row.value_per_period_max_trips ?? undefined,
    value_per_period_max_credit: money(row.value_per_period_max_credit),
    value_recurrence_period: row.value_recurrence_period ?? undefined,
    trip_restriction_type: row.trip_restriction_type ?? undefined,
    pickup_locations: json(row.pickup_locations),
    dropoff_locations: json(row.dropoff_locations),
    vehicle_category_types: json(row.vehicle_category_types),
    expense_memo: row.expense_memo ?? undefined,
    creator_email: row.creator_email ?? undefined,
    value_per_period_max_amount: money(row.value_per_period_max_amount),
  };
  dropUndefined(fields);
  return fields as unknown as ProgramFields;
}
