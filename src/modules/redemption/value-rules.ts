/**
 * The program's value rules applied to one trip (docs/programs.md usage), in integer minor units.
 * Pure: no clock, no database — property-tested against a reference model.
 *
 * Order: the rider first pays the deductible, or the program covers `percentage`% of the fare
 * (rounded down to the minor unit; default 100); then the per-trip cap; then the period: no
 * coverage once `periodMaxTrips` covered trips were used, and never more than the credit (or per-period amount) left.
 * A trip counts toward the period's trips only when the voucher covered part of it.
 */
export interface ValueRules {
  perTripMax: number | null;
  deductible: number | null;
  /** 5–99, or null for 100 (docs/programs.md: not combinable with a deductible). */
  percentage: number | null;
  periodMaxTrips: number | null;
  periodMaxCredit: number | null;
  /** Most covered per period, summed over the period's trips (a second cap on the same sum). */
  periodMaxAmount: number | null;
}

export interface PeriodUsage {
  /** Covered trips already in the period. */
  trips: number;
  /** Credit already spent in the period. */
  credit: number;
}

export interface TripValue {
  covered: number;
  rider: number;
  counted: boolean;
  remainingTrips: number | null;
  remainingCredit: number | null;
}

/** The tighter of the two per-period caps on the covered sum, or null when neither is set. */
function periodCap(rules: ValueRules): number | null {
  if (rules.periodMaxCredit === null) return rules.periodMaxAmount;
  if (rules.periodMaxAmount === null) return rules.periodMaxCredit;
  return Math.min(rules.periodMaxCredit, rules.periodMaxAmount);
}

export function applyValueRules(rules: ValueRules, usage: PeriodUsage, fare: number): TripValue {
  const cap = periodCap(rules);
  let covered = rules.deductible !== null ? Math.max(0, fare - rules.deductible) : Math.floor((fare * (rules.percentage ?? 100)) / 100);
  if (rules.perTripMax !== null) covered = Math.min(covered, rules.perTripMax);
  if (rules.periodMaxTrips !== null && usage.trips >= rules.periodMaxTrips) covered = 0;
  if (cap !== null) covered = Math.min(covered, Math.max(0, cap - usage.credit));
  const counted = covered > 0;
  return {
    covered,
    rider: fare - covered,
    counted,
    remainingTrips: rules.periodMaxTrips === null ? null : Math.max(0, rules.periodMaxTrips - usage.trips - (counted ? 1 : 0)),
    remainingCredit: cap === null ? null : Math.max(0, cap - usage.credit - covered),
  };
}
