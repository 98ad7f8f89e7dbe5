import { fromMinorUnits } from '../../lib/money.js';
import { dropUndefined } from '../../lib/objects.js';
import type { ProgramRow } from './program.repository.js';
import type { ProgramFields } from './program.validation.js';

/**
 * How a field is stored: money (programs: integer minor units; templates: decimal string), int,
 * enum/text (as is), boolean (0/1), json (a JSON string), email (trimmed, lower-cased).
 */
export type FieldKind = 'money' | 'int' | 'enum' | 'text' | 'boolean' | 'json' | 'email';

/** What a PATCH may do to a field once the program has started (docs/programs.md). */
export type AfterStart = 'always' | 'grow' | 'shrink' | 'percentage' | 'superset';

export interface FieldSpec {
  /** The name in requests, in the program's wire form and of the column (the same in all three). */
  readonly field: string;
  readonly kind: FieldKind;
  /** Only on programs or only on templates; absent: both. */
  readonly only?: 'program' | 'template';
  /** Uber's name for it in the template's wire form. */
  readonly templateWire?: string;
  /** Uber's legacy name, accepted as input and repeated in the program's wire form (docs/compatibility.md). */
  readonly legacy?: string;
  /** Absent: locked once the program has started. */
  readonly afterStart?: AfterStart;
}

/** The one table of program and template fields: every mapping below is driven by it. */
export const FIELDS: readonly FieldSpec[] = [
  { field: 'template_name', kind: 'text', only: 'template' },
  { field: 'campaign_name', kind: 'text', only: 'template' },
  { field: 'name', kind: 'text', afterStart: 'always' },
  { field: 'description', kind: 'text', afterStart: 'always' },
  { field: 'creator_email', kind: 'email', afterStart: 'always' },
  { field: 'currency_code', kind: 'enum' },
  { field: 'timezone', kind: 'enum' },
  { field: 'starts_at', kind: 'int', only: 'program' },
  { field: 'ends_at', kind: 'int', only: 'program', afterStart: 'grow' },
  { field: 'is_fully_covered', kind: 'boolean', only: 'template' },
  { field: 'code_scheme', kind: 'enum' },
  { field: 'redemptions_per_code', kind: 'int', afterStart: 'grow' },
  { field: 'voucher_type', kind: 'enum' },
  { field: 'value_per_trip_max_amount', kind: 'money', legacy: 'endmax_value_per_trips_at', afterStart: 'grow' },
  { field: 'value_per_trip_deductible', kind: 'money', templateWire: 'deductible', afterStart: 'shrink' },
  { field: 'value_per_trip_percentage', kind: 'int', templateWire: 'percentage', afterStart: 'percentage' },
  { field: 'value_per_period_max_trips', kind: 'int', legacy: 'max_trips_per_client', afterStart: 'grow' },
  { field: 'value_per_period_max_credit', kind: 'money', afterStart: 'grow' },
  { field: 'value_per_period_max_amount', kind: 'money', afterStart: 'grow' },
  { field: 'value_recurrence_period', kind: 'enum' },
  { field: 'trip_restriction_type', kind: 'enum' },
  { field: 'pickup_locations', kind: 'json', afterStart: 'superset' },
  { field: 'dropoff_locations', kind: 'json', afterStart: 'superset' },
  { field: 'vehicle_category_types', kind: 'json' },
  { field: 'expense_memo', kind: 'text', afterStart: 'always' },
  { field: 'is_disabled', kind: 'boolean', only: 'template' },
];

type Entity = 'program' | 'template';
type Column = string | number | null;
/** Money between request form (major units) and the entity's column. */
export interface MoneyCodec {
  read(column: string | number, field: string): number;
  write(value: number, field: string): Column;
}

const fieldsOf = (entity: Entity) => FIELDS.filter((spec) => spec.only === undefined || spec.only === entity);

/** The field names with a given PATCH rule after start. */
export const afterStartFields = (rule: AfterStart): string[] => FIELDS.filter((s) => s.afterStart === rule).map((s) => s.field);

/** A stored row back in request form; absent columns are omitted. */
export function rowToFields(row: object, entity: Entity, money: MoneyCodec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of fieldsOf(entity)) {
    const value = (row as Record<string, unknown>)[spec.field] as Column | undefined;
    if (spec.kind === 'boolean') out[spec.field] = Number(value) === 1;
    else if (value === null || value === undefined) continue;
    else if (spec.kind === 'money') out[spec.field] = money.read(value, spec.field);
    else if (spec.kind === 'int') out[spec.field] = Number(value);
    else if (spec.kind === 'json') out[spec.field] = JSON.parse(String(value));
    else out[spec.field] = value;
  }
  return out;
}

/** Request-form fields → the entity's columns (null where absent). */
export function fieldsToColumns(fields: object, entity: Entity, money: MoneyCodec): Record<string, Column> {
  const out: Record<string, Column> = {};
  for (const spec of fieldsOf(entity)) {
    const value = (fields as Record<string, unknown>)[spec.field];
    if (spec.kind === 'boolean') out[spec.field] = value ? 1 : 0;
    else if (value === undefined || value === null) out[spec.field] = null;
    else if (spec.kind === 'money') out[spec.field] = money.write(value as number, spec.field);
    else if (spec.kind === 'int') out[spec.field] = Number(value);
    else if (spec.kind === 'json') out[spec.field] = JSON.stringify(value);
    else if (spec.kind === 'email') out[spec.field] = String(value).trim().toLowerCase();
    else out[spec.field] = value as string;
  }
  return out;
}

/**
 * A stored row in its wire form: request form, plus the percentage a deductible-free rule covers
 * (100), Uber's template names or the program's legacy names (docs/compatibility.md).
 */
export function rowToWire(row: object, entity: Entity, money: MoneyCodec): Record<string, unknown> {
  const fields = rowToFields(row, entity, money);
  const stored = row as Record<string, unknown>;
  if (stored.value_per_trip_percentage === null && stored.value_per_trip_deductible === null) fields.value_per_trip_percentage = 100;
  const out: Record<string, unknown> = {};
  for (const spec of fieldsOf(entity)) {
    const name = entity === 'template' ? (spec.templateWire ?? spec.field) : spec.field;
    out[name] = fields[spec.field];
  }
  if (entity === 'program') for (const spec of FIELDS) if (spec.legacy) out[spec.legacy] = fields[spec.field];
  return dropUndefined(out);
}

/** Programs keep money in integer minor units of their currency. */
export const programMoney = (currency: string): MoneyCodec => ({
  read: (minor) => fromMinorUnits(Number(minor), currency),
  write: (value) => value,
});

/**
 * A stored program back in create-body form, so a PATCH can be merged over it and the merged
 * whole checked with the same rules as a create (docs/programs.md).
 */
export function programToFields(row: ProgramRow): ProgramFields {
  return rowToFields(row, 'program', programMoney(row.currency_code)) as unknown as ProgramFields;
}
