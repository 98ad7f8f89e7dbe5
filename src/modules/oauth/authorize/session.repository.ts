import type { Kysely } from 'kysely';
import type { DB } from '../../../db/schema.js';

/** The user of a sign-in session, by the SHA-256 of its cookie value, with the session's expiry. */
export async function findSessionUser(db: Kysely<DB>, tokenHash: string): Promise<{ id: string; email: string; expires_at: number } | undefined> {
  return db
    .selectFrom('oauth_sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['u.id', 'u.email', 's.expires_at'])
    .where('s.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export async function insertSession(db: Kysely<DB>, row: { id: string; token_hash: string; user_id: string; expires_at: number; created_at: number }): Promise<void> {
  await db.insertInto('oauth_sessions').values(row).execute();
}

export async function deleteSession(db: Kysely<DB>, tokenHash: string): Promise<void> {
  await db.deleteFrom('oauth_sessions').where('token_hash', '=', tokenHash).execute();
}

/** Drops sessions that expired before `cutoff`; returns how many. */
export async function deleteSessionsExpiredBefore(db: Kysely<DB>, cutoff: number): Promise<number> {
  return Number((await db.deleteFrom('oauth_sessions').where('expires_at', '<', cutoff).executeTakeFirst()).numDeletedRows);
}
