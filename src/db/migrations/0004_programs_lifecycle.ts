import { sql, type Kysely } from 'kysely';

// Program lifecycle: templates, guests, and the status transitions the sweep records.
// Kysely<any>, no app types (docs/architecture.md).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('voucher_program_templates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('template_name', 'text', (c) => c.notNull())
    .addColumn('campaign_name', 'text')
    .addColumn('description', 'text')
    .addColumn('timezone', 'text')
    .addColumn('currency_code', 'text')
    .addColumn('is_fully_covered', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('code_scheme', 'text')
    .addColumn('redemptions_per_code', 'integer')
    .addColumn('voucher_type', 'text')
    // Money as decimal text, as sent: a template may leave the currency to the program.
    .addColumn('value_per_trip_max_amount', 'text')
    // Decimal text as sent: a template may leave the currency to the program.
    .addColumn('value_per_trip_deductible', 'text')
    .addColumn('value_per_trip_percentage', 'integer')
    .addColumn('value_per_period_max_trips', 'integer')
    // Decimal text as sent: a template may leave the currency to the program.
    .addColumn('value_per_period_max_credit', 'text')
    .addColumn('value_recurrence_period', 'text')
    .addColumn('trip_restriction_type', 'text')
    .addColumn('pickup_locations', 'text')
    .addColumn('dropoff_locations', 'text')
    .addColumn('vehicle_category_types', 'text')
    .addColumn('expense_memo', 'text')
    .addColumn('is_disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('creator_client_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('voucher_program_templates_org')
    .on('voucher_program_templates')
    .columns(['organization_id', 'created_at'])
    .execute();

  // Guests added with add-guests (docs/programs.md). A MULTI_CODE guest holds one code of its own: the
  // partial unique index makes binding one code to two guests impossible in any process.
  await db.schema
    .createTable('program_guests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('program_id', 'text', (c) => c.notNull().references('voucher_programs.id').onDelete('cascade'))
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('code_id', 'text')
    .addColumn('send_notifications', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('distributed_at', 'bigint')
    .addCheckConstraint('program_guests_contact', sql`email is not null or phone is not null`)
    .execute();
  await db.schema.createIndex('program_guests_program').on('program_guests').columns(['program_id', 'id']).execute();
  await db.schema.createIndex('program_guests_code').on('program_guests').column('code_id').unique().where(sql<boolean>`code_id is not null`).execute();
  await db.schema
    .createIndex('program_guests_email')
    .on('program_guests')
    .columns(['program_id', 'email'])
    .unique()
    .where(sql<boolean>`email is not null`)
    .execute();
  await db.schema
    .createIndex('program_guests_phone')
    .on('program_guests')
    .columns(['program_id', 'phone'])
    .unique()
    .where(sql<boolean>`phone is not null`)
    .execute();

  // The sweep records each ACTIVE / COMPLETE transition once: the primary key refuses a second row
  // whatever the number of processes sweeping (docs/programs.md).
  await db.schema
    .createTable('program_status_transitions')
    .addColumn('program_id', 'text', (c) => c.notNull().references('voucher_programs.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('ACTIVE', 'COMPLETE')`))
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('program_status_transitions_pk', ['program_id', 'status'])
    .execute();
  await db.schema.createIndex('voucher_programs_starts').on('voucher_programs').columns(['starts_at']).execute();
  await db.schema.createIndex('voucher_programs_ends').on('voucher_programs').columns(['ends_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('voucher_programs_ends').ifExists().execute();
  await db.schema.dropIndex('voucher_programs_starts').ifExists().execute();
  for (const table of ['program_status_transitions', 'program_guests', 'voucher_program_templates']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
