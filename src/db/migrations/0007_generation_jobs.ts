import { sql, type Kysely } from 'kysely';

// docs/programs.md: generations above the inline limit run as durable, resumable background jobs.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('code_generations')
    .addColumn('mode', 'text', (c) => c.notNull().defaultTo('INLINE').check(sql`mode in ('INLINE', 'BACKGROUND')`))
    .execute();
  await db.schema.alterTable('code_generations').addColumn('lease_holder', 'text').execute();
  await db.schema.createIndex('code_generations_claimable').on('code_generations').columns(['status', 'mode', 'lease_expires_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('code_generations_claimable').execute();
  await db.schema.alterTable('code_generations').dropColumn('lease_holder').execute();
  await db.schema.alterTable('code_generations').dropColumn('mode').execute();
}
