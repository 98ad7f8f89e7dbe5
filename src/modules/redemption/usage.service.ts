import type { AppContext } from '../../context.js';
import { isUniqueViolation } from '../../db/database.js';
import { AppError, invalidRequest } from '../../lib/errors.js';
import { fromMinorUnits, toMinorUnits } from '../../lib/money.js';
import { assertOrgAccess } from '../access/org-access.js';
import { isRider } from '../access/rider-access.js';
import type { Principal } from '../oauth/token.service.js';
import { programStatus } from '../programs/program.status.js';
import { recordEvent } from '../webhooks/outbox.js';
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

/** The voucher's rider, or a token that may act for the program's organization (api.md §2.2). */
async function assertVoucherAccess(ctx: AppContext, principal: Principal, voucher: Voucher | undefined): Promise<Voucher> {
  if (!voucher) throw new AppError('not_found', 'voucher_not_found');
  if (isRider(principal) && principal.userId === voucher.user_id) return voucher;
  try {
    await assertOrgAccess(ctx, principal, voucher.organization_id);
    return voucher;
  } catch {
    // Another rider's or another organization's voucher is indistinguishable from a missing one.
    throw new AppError('not_found', 'voucher_not_found');
  }
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
 * Apply a voucher to a trip (api.md §7 usage, X). Idempotent on (voucher, trip_id): the same trip
 * again replays the stored answer; a different fare or currency for it → 422. The trip, the
 * usage counters and the `voucher_program_code_redeemed` event commit together.
 */
export function recordTrip(ctx: AppContext, principal: Principal, voucherId: string, body: TripBody): Promise<TripResult> {
  return ctx.metrics.outcome(ctx.metrics.trips, 'applied', () => applyTrip(ctx, principal, voucherId, body));
}

async function applyTrip(ctx: AppContext, principal: Principal, voucherId: string, body: TripBody): Promise<TripResult> {
  const voucher = await assertVoucherAccess(ctx, principal, await findVoucherWithProgram(ctx.database.db, voucherId));
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
      const key = periodKey(voucher.value_recurrence_period, voucher.timezone, now);
      const value = applyValueRules(
        {
          perTripMax: voucher.value_per_trip_max_amount === null ? null : Number(voucher.value_per_trip_max_amount),
          deductible: voucher.value_per_trip_deductible === null ? null : Number(voucher.value_per_trip_deductible),
          percentage: voucher.value_per_trip_percentage,
          periodMaxTrips: voucher.value_per_period_max_trips,
          periodMaxCredit: voucher.value_per_period_max_credit === null ? null : Number(voucher.value_per_period_max_credit),
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
