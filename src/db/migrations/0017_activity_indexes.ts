import type { Kysely } from 'kysely';

// A program's activity per hour or day (docs/programs.md, Activity): claims and trips are read by
// (program, time) ranges, one index range scan per bucket.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('vouchers_program_time').on('vouchers').columns(['program_id', 'created_at']).execute();
  await db.schema.createIndex('voucher_trips_program_time').on('voucher_trips').columns(['program_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('voucher_trips_program_time').execute();
  await db.schema.dropIndex('vouchers_program_time').execute();
}
