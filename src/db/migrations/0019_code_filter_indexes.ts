import { sql, type Kysely } from 'kysely';

// Get Voucher Codes' filters (docs/programs.md, Listing codes): a generation's codes and a program's
// canceled codes are each one index range scan in id order, so a filtered page is read without
// visiting the other codes. Redemption counts stay unindexed: claims update them, and on PostgreSQL
// an indexed column would make every claim's update a non-HOT one.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('voucher_codes_program_generation').on('voucher_codes').columns(['program_id', 'generation_id', 'id']).execute();
  await db.schema
    .createIndex('voucher_codes_program_canceled')
    .on('voucher_codes')
    .columns(['program_id', 'id'])
    .where(sql<boolean>`canceled_at is not null`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('voucher_codes_program_canceled').execute();
  await db.schema.dropIndex('voucher_codes_program_generation').execute();
}
