import type { Kysely } from 'kysely';
import type { DB, OrganizationAuthorizationsTable } from '../../db/schema.js';

export async function insertAuthorization(db: Kysely<DB>, row: OrganizationAuthorizationsTable): Promise<void> {
  await db.insertInto('organization_authorizations').values(row).execute();
}

export async function revokeAuthorization(db: Kysely<DB>, organizationId: string, clientId: string, now: number): Promise<void> {
  await db
    .updateTable('organization_authorizations')
    .set({ revoked_at: now })
    .where('organization_id', '=', organizationId)
    .where('client_id', '=', clientId)
    .where('revoked_at', 'is', null)
    .execute();
}

export async function listAuthorizations(db: Kysely<DB>, organizationId: string) {
  return db
    .selectFrom('organization_authorizations as a')
    .innerJoin('oauth_clients as c', 'c.client_id', 'a.client_id')
    .select(['a.client_id', 'c.name', 'a.scope', 'a.approved_by_user_id', 'a.created_at', 'a.revoked_at'])
    .where('a.organization_id', '=', organizationId)
    .orderBy('a.created_at', 'asc')
    .orderBy('a.id', 'asc')
    .execute();
}

/** Whether the client was ever authorized by the organization (revoked or not). */
export async function authorizationExists(db: Kysely<DB>, organizationId: string, clientId: string): Promise<boolean> {
  const row = await db
    .selectFrom('organization_authorizations')
    .select('id')
    .where('organization_id', '=', organizationId)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  return row !== undefined;
}
