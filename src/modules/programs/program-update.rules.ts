import { invalidRequest } from '../../lib/errors.js';
import type { ProgramRow } from './program.repository.js';
import type { PatchProgramBody } from './program.schemas.js';
import type { ProgramFieldsRow } from './program.validation.js';
import { FIELDS, afterStartFields } from './program.fields.js';

/** After start, these may only grow (or the deductible shrink): more value for riders. */
const GROW = afterStartFields('grow') as (keyof ProgramFieldsRow & keyof PatchProgramBody)[];
const LOCATIONS = afterStartFields('superset') as ('pickup_locations' | 'dropoff_locations')[];

/** Null caps mean "unbounded": anything set is less. */
function isReduced(before: number | null | undefined, after: number | null | undefined): boolean {
  if (before === null || before === undefined) return after !== null && after !== undefined;
  if (after === null || after === undefined) return false;
  return Number(after) < Number(before);
}

/**
 * docs/programs.md: once a program has started, a PATCH may only raise or extend it (amounts, trips,
 * ends_at, name, locations). Every other field must be absent or unchanged.
 */
export function assertExtensionOnly(program: ProgramRow, body: PatchProgramBody, next: ProgramFieldsRow): void {
  for (const field of GROW) {
    if (body[field] !== undefined && isReduced(program[field] as number | null, next[field] as number | null)) {
      throw invalidRequest('field_reduced_after_start', { field }, field);
    }
  }
  if (body.value_per_trip_deductible !== undefined && Number(next.value_per_trip_deductible ?? 0) > Number(program.value_per_trip_deductible ?? 0)) {
    throw invalidRequest('field_reduced_after_start', { field: 'value_per_trip_deductible' }, 'value_per_trip_deductible');
  }
  if (body.value_per_trip_percentage !== undefined) {
    const before = program.value_per_trip_percentage ?? (program.value_per_trip_deductible === null ? 100 : 0);
    if (Number(next.value_per_trip_percentage) < before) {
      throw invalidRequest('field_reduced_after_start', { field: 'value_per_trip_percentage' }, 'value_per_trip_percentage');
    }
  }
  for (const field of LOCATIONS) {
    if (body[field] === undefined) continue;
    const before: unknown[] = program[field] ? JSON.parse(program[field]) : [];
    const after = new Set((body[field] ?? []).map((l) => JSON.stringify(l)));
    if (before.some((l) => !after.has(JSON.stringify(l)))) throw invalidRequest('locations_removed_after_start', { field }, field);
  }
  // Fields with a rule after start ('always': texts that carry no value); every other one is locked.
  const handled = new Set<string>(FIELDS.filter((spec) => spec.afterStart !== undefined).map((spec) => spec.field));
  for (const field of Object.keys(body)) {
    if (handled.has(field)) continue;
    const key = field as keyof ProgramFieldsRow;
    if (String(next[key] ?? '') !== String((program as Record<string, unknown>)[key] ?? '')) {
      throw invalidRequest('field_locked_after_start', { field }, field);
    }
  }
}

/** The columns whose value differs between the stored program and the validated result. */
export function changedColumns(program: ProgramRow, next: ProgramFieldsRow): Partial<ProgramFieldsRow> {
  const changes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(next)) {
    if (key === 'canceled_at' || key === 'code_scheme' || key === 'currency_code') continue;
    const before = (program as Record<string, unknown>)[key];
    if (String(before ?? '') !== String(value ?? '')) changes[key] = value;
  }
  return changes as Partial<ProgramFieldsRow>;
}
