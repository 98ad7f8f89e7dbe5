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

/** The columns of a built-in client that follow the configuration (see ensureBuiltInClient). */
export type PinnedClientColumns = Partial<Pick<ClientRow, 'redirect_uris' | 'scopes' | 'token_endpoint_auth_method'>>;

/**
 * Makes a built-in client's row exist (idempotent across processes: the first insert wins, the
 * others do nothing), then sets the `pinned` columns where the stored row differs from them.
 */
export async function ensureBuiltInClient(db: Kysely<DB>, row: ClientRow, pinned: PinnedClientColumns): Promise<void> {
  await db
    .insertInto('oauth_clients')
    .values(row)
    .onConflict((oc) => oc.column('client_id').doNothing())
    .execute();
  const columns = Object.keys(pinned) as (keyof PinnedClientColumns)[];
  await db
    .updateTable('oauth_clients')
    .set(pinned)
    .where('client_id', '=', row.client_id)
    .where((eb) => eb.or(columns.map((column) => eb(column, '!=', pinned[column]!))))
    .execute();
}

/** Reads a client's disabled time inside the caller's transaction. */
export async function findClientDisabledAt(db: Kysely<DB>, clientId: string): Promise<{ client_id: string; disabled_at: number | null } | undefined> {
  return db.selectFrom('oauth_clients').select(['client_id', 'disabled_at']).where('client_id', '=', clientId).executeTakeFirst();
}

export async function setClientDisabledAt(db: Kysely<DB>, clientId: string, now: number): Promise<void> {
  await db.updateTable('oauth_clients').set({ disabled_at: now }).where('client_id', '=', clientId).execute();
}
