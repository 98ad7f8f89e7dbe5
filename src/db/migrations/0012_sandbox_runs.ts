import { sql, type Kysely } from 'kysely';

// Sandbox trip runs (docs/sandbox.md): a simulated trip completed by a durable background job that
// any process may claim through its lease, so a run survives a restart and finishes exactly once.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sandbox_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('trip_id', 'text', (c) => c.notNull().unique())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    // JSON array: the organizations the calling token could act for when the run was requested.
    .addColumn('organization_ids', 'text', (c) => c.notNull())
    // JSON: {pickup:{latitude,longitude}, dropoff:{latitude,longitude}}.
    .addColumn('route', 'text', (c) => c.notNull())
    .addColumn('product_type', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('RUNNING').check(sql`state in ('RUNNING', 'COMPLETED', 'FAILED')`))
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_holder', 'text')
    .addColumn('lease_expires_at', 'bigint')
    // JSON run_info once COMPLETED; message says why no voucher was applied, or why it FAILED.
    .addColumn('run_info', 'text')
    .addColumn('message', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .execute();
  await db.schema.createIndex('sandbox_runs_claimable').on('sandbox_runs').columns(['state', 'due_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sandbox_runs').ifExists().execute();
}
