import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

/** PostgreSQL: the session is on a standby (`pg_is_in_recovery()`) or read-only by setting. */
export async function isReadOnlySession(db: Kysely<DB>): Promise<boolean> {
  const { rows } = await sql<{ read_only: boolean }>`
    select pg_is_in_recovery() or current_setting('transaction_read_only') = 'on' as read_only`.execute(db);
  return rows[0]?.read_only === true;
}

/** One round trip: throws when the database does not answer. */
export async function ping(db: Kysely<DB>): Promise<void> {
  await sql`select 1`.execute(db);
}
