import type { AppContext } from '../../context.js';
import { isUniqueViolation } from '../../db/database.js';
import { AppError, invalidRequest } from '../../lib/errors.js';
import { fromMinorUnits, toMinorUnits } from '../../lib/money.js';
import type { TripReporter } from '../access/trip-reporter.js';
import { programStatus } from '../programs/program.status.js';
import { recordEvent } from '../webhooks/outbox.js';
import { checkGeofence, parseGeofences, type TripRoute } from './geofence.js';
import { periodKey } from './periods.js';
import type { TripBody } from './redemption.schemas.js';
import { addUsage, findTrip, findVoucherWithProgram, insertTrip, lockVoucher, periodUsage, type TripRow } from './usage.repository.js';
import { applyValueRules } from './value-rules.js';

export interface TripResult {
  body: {
    voucher_id: string;
    trip_id: string;
    currency_code: string;
    covered_amount: number;
    rider_amount: number;
    remaining_trips: number | null;
    remaining_credit: number | null;
  };
  replayed: boolean;
}

type Voucher = NonNullable<Awaited<ReturnType<typeof findVoucherWithProgram>>>;

/**
 * A trip to apply. `route` is internal (the sandbox's simulated trips carry one): when present,
 * the program's trip restriction is checked against it; see docs/sandbox.md.
 */
export type TripInput = TripBody & { route?: TripRoute };

/** Refuses a trip whose route leaves the program's locations (trip_restriction_type). */
function assertWithinLocations(voucher: Voucher, route: TripRoute | undefined): void {
  if (!route) return;
  const verdict = checkGeofence(voucher.trip_restriction_type, parseGeofences(voucher.pickup_locations), parseGeofences(voucher.dropoff_locations), route);
  if (verdict !== 'INSIDE') {
    throw new AppError('invalid_request', 'trip_outside_locations', { params: { restriction: voucher.trip_restriction_type ?? '' }, metadata: { geofence: verdict } });
  }
}

/** The voucher, when it belongs to the reporter's organization; anything else is "not found". */
function assertVoucherAccess(reporter: TripReporter, voucher: Voucher | undefined): Voucher {
  // Another organization's voucher is indistinguishable from a missing one.
  if (!voucher || voucher.organization_id !== reporter.clientOrganizationId) throw new AppError('not_found', 'voucher_not_found');
  return voucher;
}

function toWire(voucherId: string, trip: Pick<TripRow, 'trip_id' | 'currency_code' | 'covered_amount' | 'rider_amount' | 'remaining_trips' | 'remaining_credit'>): TripResult['body'] {
  const money = (minor: number) => fromMinorUnits(Number(minor), trip.currency_code);
  return {
    voucher_id: voucherId,
    trip_id: trip.trip_id,
    currency_code: trip.currency_code,
    covered_amount: money(trip.covered_amount),
    rider_amount: money(trip.rider_amount),
    remaining_trips: trip.remaining_trips === null ? null : Number(trip.remaining_trips),
    remaining_credit: trip.remaining_credit === null ? null : money(trip.remaining_credit),
  };
}

/**
 * Apply a voucher to a trip, reported by the organization's trip reporter (never the rider). Idempotent on (voucher, trip_id): the same trip
 * again replays the stored answer; a different fare or currency for it → 422. The trip, the
 * usage counters and the `voucher_program_code_redeemed` event commit together.
 */
export function recordTrip(ctx: AppContext, reporter: TripReporter, voucherId: string, body: TripBody): Promise<TripResult> {
  return ctx.metrics.outcome(ctx.metrics.trips, 'applied', async () => {
    const voucher = assertVoucherAccess(reporter, await findVoucherWithProgram(ctx.database.db, voucherId));
    return applyTrip(ctx, voucher, body);
  });
}

/**
 * The usage path without the caller check, for callers that decided access themselves (the
 * sandbox's trip runs, docs/sandbox.md). Same rules, same transaction, same event.
 */
export function applyTripToVoucher(ctx: AppContext, voucherId: string, input: TripInput): Promise<TripResult> {
  return ctx.metrics.outcome(ctx.metrics.trips, 'applied', async () => {
    const voucher = await findVoucherWithProgram(ctx.database.db, voucherId);
    if (!voucher) throw new AppError('not_found', 'voucher_not_found');
    return applyTrip(ctx, voucher, input);
  });
}

async function applyTrip(ctx: AppContext, voucher: Voucher, body: TripInput): Promise<TripResult> {
  if (body.currency_code !== voucher.currency_code) {
    throw new AppError('invalid_request', 'currency_mismatch', { params: { currency: voucher.currency_code }, metadata: { field: 'currency_code' } });
  }
  const fare = toMinorUnits(body.fare_amount, voucher.currency_code);
  if (fare === undefined) throw invalidRequest('amount_precision', { field: 'fare_amount', currency: voucher.currency_code }, 'fare_amount');
  const now = ctx.clock.now();
  try {
    return await ctx.database.db.transaction().execute(async (trx) => {
      await lockVoucher(trx, voucher.id, now);
      const previous = await findTrip(trx, voucher.id, body.trip_id);
      if (previous) {
        if (Number(previous.fare_amount) !== fare || previous.currency_code !== body.currency_code) {
          throw new AppError('idempotency_key_reused', 'trip_id_reused', { metadata: { field: 'trip_id' } });
        }
        return { body: toWire(voucher.id, previous), replayed: true };
      }
      if (programStatus(voucher, now) !== 'ACTIVE') throw new AppError('voucher_program_inactive', 'voucher_program_inactive');
      assertWithinLocations(voucher, body.route);
      const key = periodKey(voucher.value_recurrence_period, voucher.timezone, now);
      const value = applyValueRules(
        {
          perTripMax: voucher.value_per_trip_max_amount === null ? null : Number(voucher.value_per_trip_max_amount),
          deductible: voucher.value_per_trip_deductible === null ? null : Number(voucher.value_per_trip_deductible),
          percentage: voucher.value_per_trip_percentage,
          periodMaxTrips: voucher.value_per_period_max_trips,
          periodMaxCredit: voucher.value_per_period_max_credit === null ? null : Number(voucher.value_per_period_max_credit),
          periodMaxAmount: voucher.value_per_period_max_amount === null ? null : Number(voucher.value_per_period_max_amount),
        },
        await periodUsage(trx, voucher.id, key),
        fare,
      );
      const trip = {
        id: ctx.ids.next(),
        voucher_id: voucher.id,
        program_id: voucher.program_id,
        trip_id: body.trip_id,
        period_key: key,
        currency_code: voucher.currency_code,
        fare_amount: fare,
        covered_amount: value.covered,
        rider_amount: value.rider,
        counted: value.counted ? 1 : 0,
        remaining_trips: value.remainingTrips,
        remaining_credit: value.remainingCredit,
        created_at: now,
      };
      await insertTrip(trx, trip);
      const totals = await addUsage(trx, { voucherId: voucher.id, codeId: voucher.code_id, programId: voucher.program_id }, trip.counted, value.covered, now);
      await recordEvent(ctx, trx, {
        eventType: 'voucher_program_code_redeemed',
        organizationId: voucher.organization_id,
        voucherProgramId: voucher.program_id,
        data: {
          voucher_id: voucher.id,
          code_id: voucher.code_id,
          trip_id: body.trip_id,
          covered_amount: fromMinorUnits(value.covered, voucher.currency_code),
          currency_code: voucher.currency_code,
          usage_trip_count: totals.usage_trip_count,
          usage_amount: fromMinorUnits(totals.usage_amount, voucher.currency_code),
        },
      });
      return { body: toWire(voucher.id, trip), replayed: false };
    });
  } catch (err) {
    // Two first requests for one trip_id raced past the lock (cannot happen with the lock held; kept as a guard).
    if (isUniqueViolation(err)) throw new AppError('idempotency_key_reused', 'trip_id_reused', { metadata: { field: 'trip_id' } });
    throw err;
  }
}
