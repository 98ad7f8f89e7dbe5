import type { Kysely } from 'kysely';
import type { DB, OauthClientsTable } from '../../db/schema.js';

export type ClientRow = OauthClientsTable;

export async function insertClient(db: Kysely<DB>, row: ClientRow): Promise<void> {
  await db.insertInto('oauth_clients').values(row).execute();
}

export async function findClient(db: Kysely<DB>, clientId: string): Promise<ClientRow | undefined> {
  return db.selectFrom('oauth_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
}
