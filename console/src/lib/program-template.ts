/**
 * A template's presets as wizard values (pure: test/unit/console-program-form.test.ts). Only what
 * the template sets is returned, so the wizard keeps its own defaults for the rest.
 */
import type { components } from '../../../packages/client/src/generated/openapi.js';
import type { GeofenceValues, ProgramFormValues } from './program-form.js';

export type TemplateWire = components['schemas']['VoucherProgramTemplate'];

const text = (n: number | undefined) => (n === undefined ? undefined : String(n));

function areas(list: TemplateWire['pickup_locations']): GeofenceValues[] | undefined {
  return list?.map((l) => ({ latitude: String(l.latitude), longitude: String(l.longitude), radius: String(l.radius), address: l.address }));
}

export function templateValues(tpl: TemplateWire): Partial<ProgramFormValues> {
  const out: Partial<ProgramFormValues> = {
    name: tpl.name ?? tpl.campaign_name,
    description: tpl.description,
    currency_code: tpl.currency_code,
    timezone: tpl.timezone,
    scheme: tpl.code_scheme,
    redemptions_per_code: text(tpl.redemptions_per_code),
    value_per_trip_max_amount: text(tpl.value_per_trip_max_amount),
    value_per_period_max_trips: text(tpl.value_per_period_max_trips),
    value_per_period_max_credit: text(tpl.value_per_period_max_credit),
    value_recurrence_period: tpl.value_recurrence_period,
    trip_restriction_type: tpl.trip_restriction_type,
    pickup_locations: areas(tpl.pickup_locations),
    dropoff_locations: areas(tpl.dropoff_locations),
  };
  if (tpl.deductible !== undefined) Object.assign(out, { rider_pays: 'deductible', value_per_trip_deductible: String(tpl.deductible) });
  else if (tpl.percentage !== undefined) Object.assign(out, { rider_pays: 'percentage', value_per_trip_percentage: String(tpl.percentage) });
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as Partial<ProgramFormValues>;
}
