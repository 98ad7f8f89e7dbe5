import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './database.js';
import * as m0001 from './migrations/0001_initial.js';
import * as m0002 from './migrations/0002_jobs_outbox.js';
import * as m0003 from './migrations/0003_oauth.js';
import * as m0004 from './migrations/0004_programs_lifecycle.js';
import * as m0005 from './migrations/0005_redemption.js';
import * as m0006 from './migrations/0006_webhooks_idempotency.js';
import * as m0007 from './migrations/0007_generation_jobs.js';
import * as m0009 from './migrations/0009_claim_counter_shards.js';
import * as m0010 from './migrations/0010_code_format.js';
import * as m0011 from './migrations/0011_owner_fields.js';
import * as m0012 from './migrations/0012_sandbox_runs.js';
import * as m0015 from './migrations/0015_public_clients.js';
import * as m0017 from './migrations/0017_activity_indexes.js';
import * as m0018 from './migrations/0018_code_export_links.js';
import * as m0019 from './migrations/0019_code_filter_indexes.js';

/** Migrations listed in code (no directory scan), so the compiled and the tsx-run service agree. */
const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_jobs_outbox': m0002,
  '0003_oauth': m0003,
  '0004_programs_lifecycle': m0004,
  '0005_redemption': m0005,
  '0006_webhooks_idempotency': m0006,
  '0007_generation_jobs': m0007,
  '0009_claim_counter_shards': m0009,
  '0010_code_format': m0010,
  '0011_owner_fields': m0011,
  '0012_sandbox_runs': m0012,
  '0015_public_clients': m0015,
  '0017_activity_indexes': m0017,
  '0018_code_export_links': m0018,
  '0019_code_filter_indexes': m0019,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export interface MigrationReport {
  applied: string[];
}

function isForeignSchemaRace(error: unknown, ours: string | undefined): boolean {
  const e = error as { code?: string; message?: string } | undefined;
  return e?.code === '3F000' && !(ours !== undefined && e.message?.includes(`"${ours}"`));
}

/** Brings the schema to the latest version. Safe to run from several processes at once (Kysely locks). */
export async function migrateToLatest(database: Database): Promise<MigrationReport> {
  // On PostgreSQL name the schema: Kysely otherwise finds another schema's migration tables and
  // assumes its own exist.
  const migrator = new Migrator({
    db: database.db,
    provider,
    // Migrations are independent (each module adds its own tables), so a database that already ran
    // a later-numbered one still takes an earlier one that arrived afterwards.
    allowUnorderedMigrations: true,
    ...(database.schema ? { migrationTableSchema: database.schema } : {}),
  });
  let outcome = await migrator.migrateToLatest();
  // Kysely's PostgreSQL introspector calls has_schema_privilege() on every schema it scans; a
  // schema dropped by someone else in that instant raises 3F000 naming *their* schema. Retry then.
  for (let retry = 0; retry < 5 && isForeignSchemaRace(outcome.error, database.schema); retry += 1) {
    outcome = await migrator.migrateToLatest();
  }
  const { error, results } = outcome;
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
