import type { AppContext } from '../../context.js';
import { fromMinorUnits } from '../../lib/money.js';
import type { RiderPrincipal } from '../access/rider-access.js';
import { programStatus } from '../programs/program.status.js';
import { periodKey } from './periods.js';
import { findRiderVouchers, usageInPeriods } from './rider-vouchers.repository.js';

export interface RiderVoucher {
  voucher_id: string;
  voucher_program_id: string;
  name: string;
  status: string;
  currency_code: string;
  claimed_at: number;
  starts_at: number;
  ends_at: number;
  /** Covered trips left in the current period; null when the program sets no trip limit. */
  remaining_trips: number | null;
  /** Credit left in the current period (major units); null when the program sets no credit limit. */
  remaining_credit: number | null;
}

/**
 * GET /v1.2/me/vouchers: the signed-in rider's vouchers and what is left on them now (the current
 * value period in the program's time zone). A rider app bound to one organization (FIRST_PARTY)
 * sees that organization's vouchers only, as it claims only its codes.
 */
export async function listRiderVouchers(ctx: AppContext, rider: RiderPrincipal): Promise<RiderVoucher[]> {
  const now = ctx.clock.now();
  const organizationId = rider.clientKind === 'FIRST_PARTY' ? (rider.clientOrganizationId ?? '') : null;
  const rows = await findRiderVouchers(ctx.database.db, rider.userId, organizationId, ctx.config.maxPageSize);
  const periods = rows.map((r) => ({ voucherId: r.id, periodKey: periodKey(r.value_recurrence_period, r.timezone, now) }));
  const usage = await usageInPeriods(ctx.database.db, periods);
  return rows.map((r) => {
    const used = usage.get(r.id) ?? { trips: 0, credit: 0 };
    const maxTrips = r.value_per_period_max_trips;
    const maxCredit = r.value_per_period_max_credit === null ? null : Number(r.value_per_period_max_credit);
    return {
      voucher_id: r.id,
      voucher_program_id: r.program_id,
      name: r.name,
      status: programStatus(r, now),
      currency_code: r.currency_code,
      claimed_at: Number(r.created_at),
      starts_at: Number(r.starts_at),
      ends_at: Number(r.ends_at),
      remaining_trips: maxTrips === null ? null : Math.max(0, maxTrips - used.trips),
      remaining_credit: maxCredit === null ? null : fromMinorUnits(Math.max(0, maxCredit - used.credit), r.currency_code),
    };
  });
}
