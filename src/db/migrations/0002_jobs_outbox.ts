import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Singleton background work (sweeps) is run by whichever process holds the lease (docs/architecture.md, Scale-out).
  await db.schema
    .createTable('job_leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();

  // Transactional outbox (docs/webhooks.md): an event row commits with the change that caused it.
  await db.schema
    .createTable('outbox_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('voucher_program_id', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('dispatched_at', 'bigint')
    .execute();
  await db.schema.createIndex('outbox_events_pending').on('outbox_events').columns(['dispatched_at', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('outbox_events').ifExists().execute();
  await db.schema.dropTable('job_leases').ifExists().execute();
}
