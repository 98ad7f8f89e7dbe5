import { sql, type Kysely } from 'kysely';

// Migrations take Kysely<any> and never import app types (docs/architecture.md): they are frozen history.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('organizations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('memberships')
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('ADMIN', 'MEMBER')`))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('memberships_pk', ['organization_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('oauth_clients')
    .addColumn('client_id', 'text', (c) => c.primaryKey())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('FIRST_PARTY', 'THIRD_PARTY')`))
    .addColumn('organization_id', 'text', (c) => c.references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('redirect_uris', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('disabled_at', 'bigint')
    // A first-party client is bound to exactly one organization; a third-party one to none (docs/oauth.md).
    .addCheckConstraint(
      'oauth_clients_kind_org',
      sql`(kind = 'FIRST_PARTY' and organization_id is not null) or (kind = 'THIRD_PARTY' and organization_id is null)`,
    )
    .execute();

  await db.schema
    .createTable('oauth_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('client_id', 'text', (c) => c.notNull().references('oauth_clients.client_id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('grant_type', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oauth_tokens_client').on('oauth_tokens').columns(['client_id', 'created_at']).execute();

  await db.schema
    .createTable('organization_authorizations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull().references('oauth_clients.client_id').onDelete('cascade'))
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('approved_by_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
  // One active authorization per (organization, client).
  await db.schema
    .createIndex('organization_authorizations_active')
    .on('organization_authorizations')
    .columns(['organization_id', 'client_id'])
    .unique()
    .where(sql<boolean>`revoked_at is null`)
    .execute();

  await db.schema
    .createTable('voucher_programs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('currency_code', 'text', (c) => c.notNull())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'bigint', (c) => c.notNull())
    .addColumn('ends_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('code_scheme', 'text', (c) =>
      c.notNull().check(sql`code_scheme in ('SINGLE_CODE_MULTI_REDEEM', 'MULTI_CODE_SINGLE_REDEEM')`),
    )
    .addColumn('redemptions_per_code', 'integer', (c) => c.notNull().check(sql`redemptions_per_code >= 1`))
    .addColumn('voucher_type', 'text', (c) => c.notNull())
    .addColumn('value_per_trip_max_amount', 'bigint')
    .addColumn('value_per_trip_deductible', 'bigint')
    .addColumn('value_per_trip_percentage', 'integer')
    .addColumn('value_per_period_max_trips', 'integer')
    .addColumn('value_per_period_max_credit', 'bigint')
    .addColumn('value_recurrence_period', 'text')
    .addColumn('trip_restriction_type', 'text')
    .addColumn('pickup_locations', 'text')
    .addColumn('dropoff_locations', 'text')
    .addColumn('vehicle_category_types', 'text')
    .addColumn('expense_memo', 'text')
    .addColumn('canceled_at', 'bigint')
    .addColumn('total_number_of_codes', 'integer', (c) => c.notNull().defaultTo(0).check(sql`total_number_of_codes >= 0`))
    .addColumn('usage_trip_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('usage_voucher_claim_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('usage_amount', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by_client_id', 'text')
    .addCheckConstraint('voucher_programs_window', sql`ends_at > starts_at`)
    .execute();
  await db.schema
    .createIndex('voucher_programs_org')
    .on('voucher_programs')
    .columns(['organization_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('code_generations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('program_id', 'text', (c) => c.notNull().references('voucher_programs.id').onDelete('cascade'))
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('requested', 'integer', (c) => c.notNull().check(sql`requested >= 1`))
    .addColumn('generated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED')`),
    )
    .addColumn('lease_expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('client_id', 'text')
    .execute();
  // docs/programs.md: at most one generation per program at a time, across every process — a partial
  // unique index, so the database itself refuses a second active generation.
  await db.schema
    .createIndex('code_generations_one_active')
    .on('code_generations')
    .column('program_id')
    .unique()
    .where(sql<boolean>`status in ('PENDING', 'RUNNING')`)
    .execute();
  await db.schema.createIndex('code_generations_program').on('code_generations').columns(['program_id', 'created_at']).execute();

  await db.schema
    .createTable('voucher_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('program_id', 'text', (c) => c.notNull())
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('generation_id', 'text')
    // Service-wide uniqueness of codes is the database's job (docs/programs.md).
    .addColumn('code_text', 'text', (c) => c.notNull().unique())
    .addColumn('max_num_redemptions', 'integer', (c) => c.notNull())
    .addColumn('redemption_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('usage_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('usage_amount', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('canceled_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('voucher_codes_redemptions', sql`redemption_count >= 0 and redemption_count <= max_num_redemptions`)
    .execute();
  await db.schema.createIndex('voucher_codes_program').on('voucher_codes').columns(['program_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'voucher_codes',
    'code_generations',
    'voucher_programs',
    'organization_authorizations',
    'oauth_tokens',
    'oauth_clients',
    'memberships',
    'users',
    'organizations',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
