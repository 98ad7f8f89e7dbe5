import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './database.js';
import * as m0001 from './migrations/0001_initial.js';
import * as m0002 from './migrations/0002_jobs_outbox.js';
import * as m0003 from './migrations/0003_oauth.js';
import * as m0007 from './migrations/0007_generation_jobs.js';

/** Migrations listed in code (no directory scan), so the compiled and the tsx-run service agree. */
const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_jobs_outbox': m0002,
  '0003_oauth': m0003,
  '0007_generation_jobs': m0007,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export interface MigrationReport {
  applied: string[];
}

/** Brings the schema to the latest version. Safe to run from several processes at once (Kysely locks). */
export async function migrateToLatest(database: Database): Promise<MigrationReport> {
  // On PostgreSQL name the schema: Kysely otherwise finds another schema's migration tables and
  // assumes its own exist.
  const migrator = new Migrator({
    db: database.db,
    provider,
    ...(database.schema ? { migrationTableSchema: database.schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
