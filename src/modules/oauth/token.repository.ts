import type { Kysely } from 'kysely';
import { preparedQuery } from '../../db/prepared.js';
import type { DB, OauthTokensTable } from '../../db/schema.js';

export async function insertToken(db: Kysely<DB>, row: OauthTokensTable): Promise<void> {
  await db.insertInto('oauth_tokens').values(row).execute();
}

const tokenByHash = preparedQuery((db: Kysely<DB>, tokenHash: string) =>
  db
    .selectFrom('oauth_tokens as t')
    .innerJoin('oauth_clients as c', 'c.client_id', 't.client_id')
    .select([
      't.id',
      't.client_id',
      't.user_id',
      't.grant_type',
      't.scope',
      't.expires_at',
      't.revoked_at',
      'c.kind as client_kind',
      'c.organization_id as client_organization_id',
      'c.disabled_at as client_disabled_at',
    ])
    .where('t.token_hash', '=', tokenHash),
);

/** A token with its client, found by the SHA-256 of the presented bearer value (every API request). */
export async function findTokenByHash(db: Kysely<DB>, tokenHash: string) {
  return (await tokenByHash(db, tokenHash))[0];
}
