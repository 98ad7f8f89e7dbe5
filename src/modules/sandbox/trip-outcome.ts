import type { AppContext } from '../../context.js';
import { AppError } from '../../lib/errors.js';
import type { MessageKey } from '../../lib/i18n.js';
import { currencyDigits, fromMinorUnits } from '../../lib/money.js';
import type { TripRoute } from '../redemption/geofence.js';
import { applyTripToVoucher } from '../redemption/usage.service.js';
import { quoteFare } from './fare.js';
import { candidateVouchers, voucherOfTrip, type RunRow } from './run.repository.js';
import type { RunInfo } from './sandbox.schemas.js';

/** The currency of a trip no voucher could take (docs/sandbox.md). */
const FALLBACK_CURRENCY = 'USD';

export interface TripOutcome {
  runInfo: RunInfo;
  /** Why no voucher was applied (a message key), when none was. */
  message: MessageKey | null;
}

/** Why the usage path refused a voucher, as the run's message; anything unexpected propagates. */
function refusal(err: unknown): MessageKey {
  if (!(err instanceof AppError)) throw err;
  if (err.messageKey === 'trip_outside_locations') return 'sandbox_voucher_outside_locations';
  if (err.messageKey === 'voucher_program_inactive') return 'sandbox_voucher_inactive';
  if (err.status >= 500) throw err;
  return 'sandbox_voucher_not_applied';
}

/**
 * Completes a run's trip: the fare in each candidate voucher's currency, applied through the usage
 * path (value rules, locations, period limits). The first voucher that takes the trip wins. Safe to
 * repeat: the trip id is the run's, so a retry after a crash finds the trip already applied and the
 * usage path replays it (usage is counted once).
 */
export async function completeTrip(ctx: AppContext, run: RunRow): Promise<TripOutcome> {
  const db = ctx.database.db;
  const route = JSON.parse(run.route) as TripRoute;
  const rate = ctx.config.sandboxRates[run.product_type];
  if (!rate) throw new Error(`no sandbox rate for ${run.product_type}`);
  const fareIn = (currency: string) => quoteFare(rate, route.pickup, route.dropoff, currencyDigits(currency)).fareMinor;
  const organizationIds = JSON.parse(run.organization_ids) as string[];

  const already = await voucherOfTrip(db, run.user_id, run.trip_id);
  const candidates = already ? [already] : await candidateVouchers(db, run.user_id, organizationIds);
  let message: MessageKey = 'sandbox_no_voucher';
  for (const voucher of candidates) {
    // A trip already applied keeps its recorded fare (the rate table may have changed since).
    const fare = already ? Number(already.fare_amount) : fareIn(voucher.currency_code);
    try {
      const applied = await applyTripToVoucher(ctx, voucher.id, {
        trip_id: run.trip_id,
        fare_amount: fromMinorUnits(fare, voucher.currency_code),
        currency_code: voucher.currency_code,
        route,
      });
      return {
        runInfo: {
          trip_id: run.trip_id,
          fare_amount: fromMinorUnits(fare, voucher.currency_code),
          currency_code: voucher.currency_code,
          voucher_id: voucher.id,
          covered_amount: applied.body.covered_amount,
          rider_amount: applied.body.rider_amount,
        },
        message: null,
      };
    } catch (err) {
      message = refusal(err);
    }
  }
  const currency = candidates[0]?.currency_code ?? FALLBACK_CURRENCY;
  const fare = fromMinorUnits(fareIn(currency), currency);
  return { runInfo: { trip_id: run.trip_id, fare_amount: fare, currency_code: currency, covered_amount: 0, rider_amount: fare }, message };
}
