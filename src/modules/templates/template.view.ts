import type { TemplateRow } from './template.repository.js';
import { dropUndefined } from '../../lib/objects.js';

const json = (value: string | null) => (value === null ? undefined : JSON.parse(value));
const num = (value: string | null) => (value === null ? undefined : Number(value));

/**
 * A template as Uber's Get Voucher Template shows it: `uuid`, `creator_uuid`, `deductible`,
 * `percentage`, … (their names), plus the other presets under their program names. Absent
 * optionals are omitted.
 */
export function templateToWire(row: TemplateRow) {
  const wire: Record<string, unknown> = {
    uuid: row.id,
    creator_uuid: row.creator_client_id ?? undefined,
    created_at: Number(row.created_at),
    is_disabled: Number(row.is_disabled) === 1,
    template_name: row.template_name,
    campaign_name: row.campaign_name ?? undefined,
    name: row.name ?? undefined,
    creator_email: row.creator_email ?? undefined,
    description: row.description ?? undefined,
    timezone: row.timezone ?? 'UTC',
    currency_code: row.currency_code ?? undefined,
    is_fully_covered: Number(row.is_fully_covered) === 1,
    deductible: num(row.value_per_trip_deductible),
    percentage: row.value_per_trip_percentage ?? (row.value_per_trip_deductible === null ? 100 : undefined),
    code_scheme: row.code_scheme ?? undefined,
    redemptions_per_code: row.redemptions_per_code ?? undefined,
    voucher_type: row.voucher_type ?? undefined,
    value_per_trip_max_amount: num(row.value_per_trip_max_amount),
    value_per_period_max_trips: row.value_per_period_max_trips ?? undefined,
    value_per_period_max_credit: num(row.value_per_period_max_credit),
    value_per_period_max_amount: num(row.value_per_period_max_amount),
    value_recurrence_period: row.value_recurrence_period ?? undefined,
    trip_restriction_type: row.trip_restriction_type ?? undefined,
    pickup_locations: json(row.pickup_locations),
    dropoff_locations: json(row.dropoff_locations),
    vehicle_category_types: json(row.vehicle_category_types),
    expense_memo: row.expense_memo ?? undefined,
  };
  dropUndefined(wire);
  return wire;
}
