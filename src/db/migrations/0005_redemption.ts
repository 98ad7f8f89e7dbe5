import { sql, type Kysely } from 'kysely';

// Claiming and using vouchers (docs/redemption.md). Migrations take Kysely<any> and never import app types.

export async function up(db: Kysely<any>): Promise<void> {
  // One row per successful claim: the rider's voucher.
  await db.schema
    .createTable('vouchers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('program_id', 'text', (c) => c.notNull().references('voucher_programs.id').onDelete('cascade'))
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('code_id', 'text', (c) => c.notNull().references('voucher_codes.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('usage_trip_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('usage_amount', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // docs/redemption.md: a rider claims a given program at most once — the database refuses a second row.
  await db.schema.createIndex('vouchers_one_per_rider').on('vouchers').columns(['program_id', 'user_id']).unique().execute();
  await db.schema.createIndex('vouchers_code').on('vouchers').column('code_id').execute();
  await db.schema.createIndex('vouchers_user').on('vouchers').columns(['user_id', 'created_at']).execute();

  // One row per trip a voucher paid for (or was asked to): idempotency on (voucher, trip_id).
  await db.schema
    .createTable('voucher_trips')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('voucher_id', 'text', (c) => c.notNull().references('vouchers.id').onDelete('cascade'))
    .addColumn('program_id', 'text', (c) => c.notNull())
    .addColumn('trip_id', 'text', (c) => c.notNull())
    .addColumn('period_key', 'text', (c) => c.notNull())
    .addColumn('currency_code', 'text', (c) => c.notNull())
    .addColumn('fare_amount', 'bigint', (c) => c.notNull().check(sql`fare_amount >= 0`))
    .addColumn('covered_amount', 'bigint', (c) => c.notNull().check(sql`covered_amount >= 0`))
    .addColumn('rider_amount', 'bigint', (c) => c.notNull().check(sql`rider_amount >= 0`))
    .addColumn('counted', 'integer', (c) => c.notNull())
    .addColumn('remaining_trips', 'integer')
    .addColumn('remaining_credit', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('voucher_trips_sum', sql`covered_amount + rider_amount = fare_amount`)
    .execute();
  await db.schema.createIndex('voucher_trips_trip').on('voucher_trips').columns(['voucher_id', 'trip_id']).unique().execute();
  await db.schema.createIndex('voucher_trips_period').on('voucher_trips').columns(['voucher_id', 'period_key']).execute();

  // Failed-claim budgets (guessing defense): sliding windows kept in the database so every
  // server process shares them.
  await db.schema
    .createTable('claim_failures')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('claim_failures_bucket').on('claim_failures').columns(['bucket', 'created_at']).execute();
  await db.schema.createIndex('claim_failures_created').on('claim_failures').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['claim_failures', 'voucher_trips', 'vouchers']) await db.schema.dropTable(table).ifExists().execute();
}
