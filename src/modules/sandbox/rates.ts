/**
 * The sandbox's per-product rate table (docs/sandbox.md). Amounts are in major units of the
 * voucher program's currency; a trip's minutes are estimated from its distance at `kmh`.
 * Pure and dependency-free: config.ts parses SANDBOX_RATES with it.
 */
export interface ProductRate {
  base: number;
  per_km: number;
  per_minute: number;
  minimum: number;
  /** Average speed used to estimate the trip's minutes. */
  kmh: number;
}

export type RateTable = Readonly<Record<string, Readonly<ProductRate>>>;

const CITY_KMH = 30;

/** Defaults shaped like a large US city's published fares (base + per km + per minute, with a minimum). */
export const DEFAULT_RATES: RateTable = Object.freeze({
  UBERX: { base: 2.55, per_km: 0.81, per_minute: 0.35, minimum: 8, kmh: CITY_KMH },
  UBERXL: { base: 3.85, per_km: 1.4, per_minute: 0.5, minimum: 10.5, kmh: CITY_KMH },
  COMFORT: { base: 3.2, per_km: 1.05, per_minute: 0.42, minimum: 9.5, kmh: CITY_KMH },
  GREEN: { base: 2.55, per_km: 0.81, per_minute: 0.35, minimum: 8, kmh: CITY_KMH },
  WAV: { base: 2.55, per_km: 0.81, per_minute: 0.35, minimum: 8, kmh: CITY_KMH },
  BLACK: { base: 8, per_km: 2.35, per_minute: 0.65, minimum: 15, kmh: CITY_KMH },
  BLACK_SUV: { base: 15, per_km: 3.1, per_minute: 0.8, minimum: 25, kmh: CITY_KMH },
});

const FIELDS = ['base', 'per_km', 'per_minute', 'minimum', 'kmh'] as const;
const MAX_AMOUNT = 1_000_000;

/**
 * Parses SANDBOX_RATES: a JSON object of product → partial rate. A product already in the table is
 * overridden field by field; a new product needs every amount (`kmh` defaults to 30).
 */
export function parseRates(raw: string | undefined): { rates: RateTable; problems: string[] } {
  if (raw === undefined) return { rates: DEFAULT_RATES, problems: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { rates: DEFAULT_RATES, problems: ['SANDBOX_RATES must be a JSON object of product → {base, per_km, per_minute, minimum[, kmh]}'] };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { rates: DEFAULT_RATES, problems: ['SANDBOX_RATES must be a JSON object of product → {base, per_km, per_minute, minimum[, kmh]}'] };
  }
  const problems: string[] = [];
  const rates: Record<string, ProductRate> = { ...DEFAULT_RATES };
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    const product = name.toUpperCase();
    if (!/^[A-Z0-9_]{1,64}$/.test(product)) {
      problems.push(`SANDBOX_RATES: product "${name}" must be letters, digits or '_'`);
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(`SANDBOX_RATES: ${product} must be an object`);
      continue;
    }
    const entry = value as Record<string, unknown>;
    const unknown = Object.keys(entry).filter((k) => !(FIELDS as readonly string[]).includes(k));
    if (unknown.length > 0) problems.push(`SANDBOX_RATES: ${product} has unknown field(s) ${unknown.join(', ')}`);
    const base = rates[product] ?? { kmh: CITY_KMH };
    const merged: Partial<ProductRate> = { ...base };
    for (const field of FIELDS) {
      const v = entry[field];
      if (v === undefined) continue;
      const max = field === 'kmh' ? 300 : MAX_AMOUNT;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max || (field === 'kmh' && v === 0)) {
        problems.push(`SANDBOX_RATES: ${product}.${field} must be a number from ${field === 'kmh' ? '> 0' : 0} to ${max}`);
        continue;
      }
      merged[field] = v;
    }
    const missing = FIELDS.filter((f) => merged[f] === undefined);
    if (missing.length > 0) {
      problems.push(`SANDBOX_RATES: ${product} needs ${missing.join(', ')}`);
      continue;
    }
    rates[product] = merged as ProductRate;
  }
  return { rates: Object.freeze(rates), problems };
}
