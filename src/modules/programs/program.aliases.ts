import { invalidRequest } from '../../lib/errors.js';
import { FIELDS } from './program.fields.js';

/**
 * Legacy names Uber's own answers still carry, accepted as input too (docs/compatibility.md):
 * `max_trips_per_client` is `value_per_period_max_trips`, `endmax_value_per_trips_at` is
 * `value_per_trip_max_amount`. An alias fills the field when the field itself is absent; both
 * present with different values is a contradiction and refused by name.
 */
const LEGACY_ALIASES: ReadonlyArray<[string, string]> = FIELDS.flatMap((spec) => (spec.legacy ? [[spec.legacy, spec.field] as [string, string]] : []));

type Aliased = Record<string, unknown>;

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (a !== undefined && b !== undefined && String(a) === String(b));
}

/** The body with every alias moved onto its field (a new object; the input is not changed). */
export function resolveLegacyAliases<T extends object>(body: T): T {
  const out: Aliased = { ...(body as Aliased) };
  for (const [alias, field] of LEGACY_ALIASES) {
    if (!(alias in out)) continue;
    const value = out[alias];
    delete out[alias];
    if (value === undefined) continue;
    if (out[field] !== undefined && !sameValue(out[field], value)) {
      throw invalidRequest('alias_conflict', { alias, field }, alias);
    }
    out[field] = value;
  }
  return out as T;
}
