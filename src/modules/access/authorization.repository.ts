import type { ExpressionBuilder, Kysely } from 'kysely';
import type { DB, OrganizationAuthorizationsTable } from '../../db/schema.js';

/**
 * The organization_authorizations table: an organization's consent to an aggregator client
 * (docs/oauth.md Organization authorization). The access checks read it here; the business module
 * writes and lists it through these functions too.
 */

/** The organization's authorizations of one client: `active`, only the unrevoked one; `ever`, revoked ones too. */
function authorizationsOf(organizationId: string, clientId: string, which: 'active' | 'ever') {
  return (eb: ExpressionBuilder<DB, 'organization_authorizations'>) =>
    eb.and([
      eb('organization_id', '=', organizationId),
      eb('client_id', '=', clientId),
      ...(which === 'active' ? [eb('revoked_at', 'is', null)] : []),
    ]);
}

/** Whether the organization authorized the client: still (`active`) or at any time (`ever`). */
export async function hasAuthorization(db: Kysely<DB>, organizationId: string, clientId: string, which: 'active' | 'ever'): Promise<boolean> {
  const row = await db.selectFrom('organization_authorizations').select('id').where(authorizationsOf(organizationId, clientId, which)).executeTakeFirst();
  return row !== undefined;
}

export async function insertAuthorization(db: Kysely<DB>, row: OrganizationAuthorizationsTable): Promise<void> {
  await db.insertInto('organization_authorizations').values(row).execute();
}

export async function revokeAuthorization(db: Kysely<DB>, organizationId: string, clientId: string, now: number): Promise<void> {
  await db.updateTable('organization_authorizations').set({ revoked_at: now }).where(authorizationsOf(organizationId, clientId, 'active')).execute();
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
