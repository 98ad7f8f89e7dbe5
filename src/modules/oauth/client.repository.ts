import type { Kysely } from 'kysely';
import type { DB, OauthClientsTable } from '../../db/schema.js';

export type ClientRow = OauthClientsTable;

export async function insertClient(db: Kysely<DB>, row: ClientRow): Promise<void> {
  await db.insertInto('oauth_clients').values(row).execute();
}

export async function findClient(db: Kysely<DB>, clientId: string): Promise<ClientRow | undefined> {
  return db.selectFrom('oauth_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
}

/** The organization's enabled first-party clients, oldest first (the default webhook owner is the first). */
export async function listOrgFirstPartyClients(db: Kysely<DB>, organizationId: string): Promise<ClientRow[]> {
  return db
    .selectFrom('oauth_clients')
    .selectAll()
    .where('kind', '=', 'FIRST_PARTY')
    .where('organization_id', '=', organizationId)
    .where('disabled_at', 'is', null)
    .orderBy('created_at')
    .orderBy('client_id')
    .execute();
}
