import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

/**
 * A named lease in the database: at most one holder at a time across every process. Taking it
 * succeeds when it is free, expired, or already ours (renewal). One upsert decides (no read-then-write).
 */
export async function tryAcquireLease(db: Kysely<DB>, name: string, holder: string, ttlMs: number, now: number): Promise<boolean> {
  const row = await db
    .insertInto('job_leases')
    .values({ name, holder, expires_at: now + ttlMs })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({ holder, expires_at: now + ttlMs })
        .where((eb) => eb.or([eb('job_leases.expires_at', '<', now), eb('job_leases.holder', '=', holder)])),
    )
    .returning('holder')
    .executeTakeFirst();
  return row?.holder === holder;
}

export async function releaseLease(db: Kysely<DB>, name: string, holder: string): Promise<void> {
  await db.deleteFrom('job_leases').where('name', '=', name).where('holder', '=', holder).execute();
}

/** For diagnostics and tests. */
export async function leaseHolder(db: Kysely<DB>, name: string): Promise<string | undefined> {
  const row = await db.selectFrom('job_leases').select(['holder', sql<number>`expires_at`.as('expires_at')]).where('name', '=', name).executeTakeFirst();
  return row?.holder;
}
