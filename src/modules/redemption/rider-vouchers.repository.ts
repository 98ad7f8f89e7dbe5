import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

/** A rider's vouchers with what the listing shows of their programs, newest first. */
export async function findRiderVouchers(db: Kysely<DB>, userId: string, organizationId: string | null, limit: number) {
  let query = db
    .selectFrom('vouchers as v')
    .innerJoin('voucher_programs as p', 'p.id', 'v.program_id')
    .select([
      'v.id',
      'v.program_id',
      'v.created_at',
      'p.name',
      'p.currency_code',
      'p.timezone',
      'p.canceled_at',
      'p.starts_at',
      'p.ends_at',
      'p.value_per_period_max_trips',
      'p.value_per_period_max_credit',
      'p.value_recurrence_period',
    ])
    .where('v.user_id', '=', userId);
  if (organizationId !== null) query = query.where('v.organization_id', '=', organizationId);
  return query.orderBy('v.created_at', 'desc').orderBy('v.id', 'desc').limit(limit).execute();
}

/** Covered trips and credit per voucher in the given periods (one query for the whole listing). */
export async function usageInPeriods(db: Kysely<DB>, periods: Array<{ voucherId: string; periodKey: string }>): Promise<Map<string, { trips: number; credit: number }>> {
  const usage = new Map<string, { trips: number; credit: number }>();
  if (periods.length === 0) return usage;
  const rows = await db
    .selectFrom('voucher_trips')
    .select(['voucher_id', 'period_key', sql<number>`coalesce(sum(counted), 0)`.as('trips'), sql<number>`coalesce(sum(covered_amount), 0)`.as('credit')])
    .where('voucher_id', 'in', periods.map((p) => p.voucherId))
    .groupBy(['voucher_id', 'period_key'])
    .execute();
  const wanted = new Map(periods.map((p) => [p.voucherId, p.periodKey]));
  for (const row of rows) {
    if (wanted.get(row.voucher_id) === row.period_key) usage.set(row.voucher_id, { trips: Number(row.trips), credit: Number(row.credit) });
  }
  return usage;
}
