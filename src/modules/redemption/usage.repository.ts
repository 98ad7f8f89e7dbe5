import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { DB, VoucherTripsTable } from '../../db/schema.js';

export type TripRow = Selectable<VoucherTripsTable>;

/** A voucher with what the value rules need from its program. */
export async function findVoucherWithProgram(db: Kysely<DB>, voucherId: string) {
  return db
    .selectFrom('vouchers as v')
    .innerJoin('voucher_programs as p', 'p.id', 'v.program_id')
    .select([
      'v.id',
      'v.user_id',
      'v.code_id',
      'v.organization_id',
      'v.program_id',
      'p.currency_code',
      'p.timezone',
      'p.canceled_at',
      'p.starts_at',
      'p.ends_at',
      'p.value_per_trip_max_amount',
      'p.value_per_trip_deductible',
      'p.value_per_trip_percentage',
      'p.value_per_period_max_trips',
      'p.value_per_period_max_credit',
      'p.value_per_period_max_amount',
      'p.value_recurrence_period',
      'p.trip_restriction_type',
      'p.pickup_locations',
      'p.dropoff_locations',
    ])
    .where('v.id', '=', voucherId)
    .executeTakeFirst();
}

/**
 * Serializes the trips of one voucher: the row lock (PostgreSQL) or the write transaction
 * (SQLite, BEGIN IMMEDIATE) makes the period totals read next exact.
 */
export async function lockVoucher(db: Kysely<DB>, voucherId: string, now: number): Promise<void> {
  await db.updateTable('vouchers').set({ updated_at: now }).where('id', '=', voucherId).execute();
}

export async function findTrip(db: Kysely<DB>, voucherId: string, tripId: string): Promise<TripRow | undefined> {
  return db.selectFrom('voucher_trips').selectAll().where('voucher_id', '=', voucherId).where('trip_id', '=', tripId).executeTakeFirst();
}

export async function periodUsage(db: Kysely<DB>, voucherId: string, periodKey: string): Promise<{ trips: number; credit: number }> {
  const row = await db
    .selectFrom('voucher_trips')
    .select([sql<number>`coalesce(sum(counted), 0)`.as('trips'), sql<number>`coalesce(sum(covered_amount), 0)`.as('credit')])
    .where('voucher_id', '=', voucherId)
    .where('period_key', '=', periodKey)
    .executeTakeFirstOrThrow();
  return { trips: Number(row.trips), credit: Number(row.credit) };
}

export async function insertTrip(db: Kysely<DB>, row: Insertable<VoucherTripsTable>): Promise<void> {
  await db.insertInto('voucher_trips').values(row).execute();
}

/** Adds one trip's usage to the voucher, its code and its program, in the trip's transaction. */
export async function addUsage(
  db: Kysely<DB>,
  ids: { voucherId: string; codeId: string; programId: string },
  trips: number,
  amount: number,
  now: number,
): Promise<{ usage_trip_count: number; usage_amount: number }> {
  await db
    .updateTable('vouchers')
    .set((eb) => ({ usage_trip_count: eb('usage_trip_count', '+', trips), usage_amount: eb('usage_amount', '+', amount) }))
    .where('id', '=', ids.voucherId)
    .execute();
  await db
    .updateTable('voucher_codes')
    .set((eb) => ({ usage_count: eb('usage_count', '+', trips), usage_amount: eb('usage_amount', '+', amount) }))
    .where('id', '=', ids.codeId)
    .execute();
  const row = await db
    .updateTable('voucher_programs')
    .set((eb) => ({ usage_trip_count: eb('usage_trip_count', '+', trips), usage_amount: eb('usage_amount', '+', amount), updated_at: now }))
    .where('id', '=', ids.programId)
    .returning(['usage_trip_count', 'usage_amount'])
    .executeTakeFirstOrThrow();
  return { usage_trip_count: Number(row.usage_trip_count), usage_amount: Number(row.usage_amount) };
}
