import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { periodKey } from '../../src/modules/redemption/periods.js';
import { applyValueRules, type ValueRules } from '../../src/modules/redemption/value-rules.js';

/**
 * Reference model of the value rules (docs/programs.md usage), written independently of the
 * production module: BigInt money, local dates from the zone's UTC offset rather than from
 * calendar fields, and the rules as a plain "what is left" computation.
 */
function refLocalDate(timeZone: string, at: number): string {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(at).find((p) => p.type === 'timeZoneName')!.value;
  const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name);
  if (!m) throw new Error(`unexpected offset ${name}`);
  const offsetMs = m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000 : 0;
  return new Date(at + offsetMs).toISOString().slice(0, 10);
}

function refPeriod(period: string, timeZone: string, at: number): string {
  if (period === 'DAILY') return refLocalDate(timeZone, at);
  if (period === 'MONTHLY') return refLocalDate(timeZone, at).slice(0, 7);
  return 'SINGLE';
}

function refCovered(rules: ValueRules, usedTrips: number, usedCredit: number, fare: number): bigint {
  if (rules.periodMaxTrips !== null && usedTrips >= rules.periodMaxTrips) return 0n;
  const f = BigInt(fare);
  let covered = rules.deductible !== null ? (f > BigInt(rules.deductible) ? f - BigInt(rules.deductible) : 0n) : (f * BigInt(rules.percentage ?? 100)) / 100n;
  const limits: bigint[] = [];
  if (rules.perTripMax !== null) limits.push(BigInt(rules.perTripMax));
  if (rules.periodMaxCredit !== null) limits.push(BigInt(Math.max(0, rules.periodMaxCredit - usedCredit)));
  if (rules.periodMaxAmount !== null) limits.push(BigInt(Math.max(0, rules.periodMaxAmount - usedCredit)));
  for (const limit of limits) if (limit < covered) covered = limit;
  return covered;
}

const ZONES = [
  'UTC',
  'America/New_York',
  'Europe/Berlin',
  'Europe/London',
  'Australia/Lord_Howe',
  'America/Sao_Paulo',
  'America/St_Johns',
  'Asia/Kolkata',
  'Pacific/Chatham',
  'Pacific/Apia',
];

/** Instants near DST changes of the zones above (2026), so trips straddle 23- and 25-hour days. */
const DST_EDGES = [
  Date.UTC(2026, 2, 8, 7),
  Date.UTC(2026, 10, 1, 6),
  Date.UTC(2026, 2, 29, 1),
  Date.UTC(2026, 9, 25, 1),
  Date.UTC(2026, 3, 4, 15),
  Date.UTC(2026, 9, 3, 16),
  Date.UTC(2026, 2, 31, 23),
  Date.UTC(2026, 1, 28, 23),
];

const rulesArb: fc.Arbitrary<ValueRules> = fc
  .record({
    perTripMax: fc.option(fc.integer({ min: 0, max: 20_000 }), { nil: null }),
    deductible: fc.option(fc.integer({ min: 0, max: 5_000 }), { nil: null }),
    percentage: fc.option(fc.integer({ min: 5, max: 99 }), { nil: null }),
    periodMaxTrips: fc.option(fc.integer({ min: 1, max: 6 }), { nil: null }),
    periodMaxCredit: fc.option(fc.integer({ min: 0, max: 30_000 }), { nil: null }),
    periodMaxAmount: fc.option(fc.integer({ min: 0, max: 30_000 }), { nil: null }),
  })
  // docs/programs.md: a percentage is not combinable with a deductible.
  .map((r) => (r.deductible !== null ? { ...r, percentage: null } : r));

const instantArb = fc.oneof(
  fc.tuple(fc.constantFrom(...DST_EDGES), fc.integer({ min: -3 * 86_400_000, max: 3 * 86_400_000 })).map(([edge, delta]) => edge + delta),
  fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }),
);

const fareArb = fc.oneof(fc.integer({ min: 0, max: 50_000 }), fc.integer({ min: 0, max: 10 ** 12 }));

describe('value rules against the reference model (fast-check)', () => {
  it('periods: the production key partitions time like the reference, in every zone, across DST', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.constantFrom('SINGLE', 'DAILY', 'MONTHLY'), instantArb, (zone, period, at) => {
        expect(periodKey(period, zone, at)).toBe(refPeriod(period, zone, at));
      }),
      { numRuns: 3000 },
    );
  });

  it('a sequence of trips: coverage, rider share and remaining figures match the model; invariants hold', () => {
    fc.assert(
      fc.property(
        rulesArb,
        fc.constantFrom(...ZONES),
        fc.constantFrom('SINGLE', 'DAILY', 'MONTHLY'),
        fc.array(fc.tuple(instantArb, fareArb), { minLength: 1, maxLength: 25 }),
        (rules, zone, period, trips) => {
          const sorted = [...trips].sort((a, b) => a[0] - b[0]);
          const model = new Map<string, { trips: number; credit: bigint }>();
          const prod = new Map<string, { trips: number; credit: number }>();
          for (const [at, fare] of sorted) {
            const refKey = refPeriod(period, zone, at);
            const used = model.get(refKey) ?? { trips: 0, credit: 0n };
            const expected = refCovered(rules, used.trips, Number(used.credit), fare);

            const key = periodKey(period, zone, at);
            const usage = prod.get(key) ?? { trips: 0, credit: 0 };
            const value = applyValueRules(rules, usage, fare);

            expect(BigInt(value.covered)).toBe(expected);
            expect(value.covered + value.rider).toBe(fare);
            expect(value.covered).toBeGreaterThanOrEqual(0);
            expect(value.rider).toBeGreaterThanOrEqual(0);
            const counted = expected > 0n;
            expect(value.counted).toBe(counted);
            const after = { trips: used.trips + (counted ? 1 : 0), credit: used.credit + expected };
            model.set(refKey, after);
            prod.set(key, { trips: usage.trips + (value.counted ? 1 : 0), credit: usage.credit + value.covered });
            expect(value.remainingTrips).toBe(rules.periodMaxTrips === null ? null : rules.periodMaxTrips - after.trips);
            const caps = [rules.periodMaxCredit, rules.periodMaxAmount].filter((c): c is number => c !== null);
            expect(value.remainingCredit).toBe(caps.length === 0 ? null : Math.min(...caps) - Number(after.credit));
            for (const cap of caps) expect(after.credit).toBeLessThanOrEqual(BigInt(cap));
            if (rules.periodMaxTrips !== null) expect(after.trips).toBeLessThanOrEqual(rules.periodMaxTrips);
            if (rules.perTripMax !== null) expect(value.covered).toBeLessThanOrEqual(rules.perTripMax);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});

describe('periods across DST (examples)', () => {
  const NY = 'America/New_York';
  it('New York 2026-03-08 is a 23-hour day: one DAILY period from 00:00 EST to 23:59:59.999 EDT', () => {
    expect(periodKey('DAILY', NY, Date.UTC(2026, 2, 8, 5, 0))).toBe('2026-03-08'); // 00:00 EST
    expect(periodKey('DAILY', NY, Date.UTC(2026, 2, 9, 3, 59, 59, 999))).toBe('2026-03-08'); // 23:59:59.999 EDT
    expect(periodKey('DAILY', NY, Date.UTC(2026, 2, 9, 4, 0))).toBe('2026-03-09'); // 00:00 EDT
    expect(periodKey('DAILY', NY, Date.UTC(2026, 2, 8, 4, 59, 59, 999))).toBe('2026-03-07');
  });

  it('New York 2026-11-01 is a 25-hour day', () => {
    expect(periodKey('DAILY', NY, Date.UTC(2026, 10, 1, 4, 0))).toBe('2026-11-01'); // 00:00 EDT
    expect(periodKey('DAILY', NY, Date.UTC(2026, 10, 2, 4, 59, 59, 999))).toBe('2026-11-01'); // 23:59:59.999 EST
    expect(periodKey('DAILY', NY, Date.UTC(2026, 10, 2, 5, 0))).toBe('2026-11-02');
  });

  it('MONTHLY follows the local month, SINGLE is one period', () => {
    expect(periodKey('MONTHLY', 'Asia/Kolkata', Date.UTC(2026, 10, 30, 18, 30))).toBe('2026-12');
    expect(periodKey('MONTHLY', 'Asia/Kolkata', Date.UTC(2026, 10, 30, 18, 29, 59, 999))).toBe('2026-11');
    expect(periodKey('SINGLE', NY, 0)).toBe('SINGLE');
    expect(periodKey(null, NY, 0)).toBe('SINGLE');
  });
});

describe('value rules (examples)', () => {
  const none: ValueRules = { perTripMax: null, deductible: null, percentage: null, periodMaxTrips: null, periodMaxCredit: null, periodMaxAmount: null };
  it('percentage rounds the covered share down to the minor unit; deductible comes off first', () => {
    expect(applyValueRules({ ...none, percentage: 33 }, { trips: 0, credit: 0 }, 1001)).toMatchObject({ covered: 330, rider: 671 });
    expect(applyValueRules({ ...none, deductible: 500, perTripMax: 1000 }, { trips: 0, credit: 0 }, 2000)).toMatchObject({ covered: 1000, rider: 1000 });
    expect(applyValueRules({ ...none, deductible: 500 }, { trips: 0, credit: 0 }, 300)).toMatchObject({ covered: 0, rider: 300, counted: false });
  });
  it('no coverage past the period trips; never more than the credit left', () => {
    expect(applyValueRules({ ...none, periodMaxTrips: 2 }, { trips: 2, credit: 0 }, 900)).toMatchObject({ covered: 0, remainingTrips: 0 });
    expect(applyValueRules({ ...none, periodMaxCredit: 1000 }, { trips: 3, credit: 700 }, 900)).toMatchObject({ covered: 300, rider: 600, remainingCredit: 0 });
  });
  it('the per-period amount caps the covered sum like the credit; the tighter cap wins', () => {
    expect(applyValueRules({ ...none, periodMaxAmount: 1000 }, { trips: 1, credit: 800 }, 900)).toMatchObject({ covered: 200, rider: 700, remainingCredit: 0 });
    expect(applyValueRules({ ...none, periodMaxAmount: 1000, periodMaxCredit: 5000 }, { trips: 0, credit: 0 }, 1500)).toMatchObject({ covered: 1000, remainingCredit: 0 });
    expect(applyValueRules({ ...none, periodMaxAmount: 5000, periodMaxCredit: 1000 }, { trips: 0, credit: 0 }, 1500)).toMatchObject({ covered: 1000, remainingCredit: 0 });
  });
});
