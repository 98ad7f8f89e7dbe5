import type { Kysely } from 'kysely';

// docs/programs.md (X): a program's code format — optional prefix and the number of random symbols.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('voucher_programs').addColumn('code_prefix', 'text', (c) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('voucher_programs').addColumn('code_length', 'integer', (c) => c.notNull().defaultTo(12)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('voucher_programs').dropColumn('code_length').execute();
  await db.schema.alterTable('voucher_programs').dropColumn('code_prefix').execute();
}
