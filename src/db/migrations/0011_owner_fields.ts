import type { Kysely } from 'kysely';

// Fields real Uber integrations send (docs/compatibility.md): the owner's contact on programs and
// templates, a template's program name, and the per-period cap on the summed covered amount.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('voucher_programs').addColumn('creator_email', 'text').execute();
  await db.schema.alterTable('voucher_programs').addColumn('value_per_period_max_amount', 'bigint').execute();
  await db.schema.alterTable('voucher_program_templates').addColumn('creator_email', 'text').execute();
  await db.schema.alterTable('voucher_program_templates').addColumn('name', 'text').execute();
  await db.schema.alterTable('voucher_program_templates').addColumn('value_per_period_max_amount', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('voucher_program_templates').dropColumn('value_per_period_max_amount').execute();
  await db.schema.alterTable('voucher_program_templates').dropColumn('name').execute();
  await db.schema.alterTable('voucher_program_templates').dropColumn('creator_email').execute();
  await db.schema.alterTable('voucher_programs').dropColumn('value_per_period_max_amount').execute();
  await db.schema.alterTable('voucher_programs').dropColumn('creator_email').execute();
}
