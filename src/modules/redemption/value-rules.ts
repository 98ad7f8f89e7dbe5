/**
 * The program's value rules applied to one trip (api.md §4, §7 usage), in integer minor units.
 * Pure: no clock, no database — property-tested against a reference model.
 *
 * Order: the rider first pays the deductible, or the program covers `percentage`% of the fare
 * (rounded down to the minor unit; default 100); then the per-trip cap; then the period: no
 * coverage once `periodMaxTrips` covered trips were used, and never more than the credit left.
 * A trip counts toward the period's trips only when the voucher covered part of it.
 */
export interface ValueRules {
  perTripMax: number | null;
  deductible: number | null;
  /** 5–99, or null for 100 (api.md §4: not combinable with a deductible). */
  percentage: number | null;
  periodMaxTrips: number | null;
  periodMaxCredit: number | null;
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

export function applyValueRules(rules: ValueRules, usage: PeriodUsage, fare: number): TripValue {
  let covered = rules.deductible !== null ? Math.max(0, fare - rules.deductible) : Math.floor((fare * (rules.percentage ?? 100)) / 100);
  if (rules.perTripMax !== null) covered = Math.min(covered, rules.perTripMax);
  if (rules.periodMaxTrips !== null && usage.trips >= rules.periodMaxTrips) covered = 0;
  if (rules.periodMaxCredit !== null) covered = Math.min(covered, Math.max(0, rules.periodMaxCredit - usage.credit));
  const counted = covered > 0;
  return {
    covered,
    rider: fare - covered,
    counted,
    remainingTrips: rules.periodMaxTrips === null ? null : Math.max(0, rules.periodMaxTrips - usage.trips - (counted ? 1 : 0)),
    remainingCredit: rules.periodMaxCredit === null ? null : Math.max(0, rules.periodMaxCredit - usage.credit - covered),
  };
}
