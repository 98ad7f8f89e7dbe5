import type { Kysely } from 'kysely';

// One-use download links for a program's codes CSV (docs/programs.md, Export links): only the
// SHA-256 of the token is stored, bound to its organization and program, with an expiry and the
// moment it was used.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('code_export_links')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('program_id', 'text', (c) => c.notNull().references('voucher_programs.id').onDelete('cascade'))
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('code_export_links_expires').on('code_export_links').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('code_export_links').execute();
}
