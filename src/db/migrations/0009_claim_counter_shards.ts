import type { Kysely } from 'kysely';

// Sharded claim counter (bench G3). A program's usage_voucher_claim_count is its column plus the
// sum of these rows; the one-statement claim on PostgreSQL (claim-statement.repository.ts)
// increments one shard chosen at random instead of the program row, so concurrent claims of one program no
// longer queue on a single row lock held until their commits are flushed. Each claim still
// increments exactly one counter in its own transaction, so the total equals the voucher rows at
// every commit. Migrations take Kysely<any> and never import app types.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('program_claim_shards')
    .addColumn('program_id', 'text', (c) => c.notNull().references('voucher_programs.id').onDelete('cascade'))
    .addColumn('shard', 'integer', (c) => c.notNull())
    .addColumn('claims', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('program_claim_shards_pk', ['program_id', 'shard'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('program_claim_shards').ifExists().execute();
}
