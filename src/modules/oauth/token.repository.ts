import type { Kysely } from 'kysely';
import { preparedQuery } from '../../db/prepared.js';
import type { DB, OauthCodesTable, OauthRefreshTokensTable, OauthTokensTable } from '../../db/schema.js';

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
      't.created_at',
      't.family_id',
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

/**
 * Uber's cap on live tokens per client: keeps the newest `keep` live client_credentials tokens of
 * the client and revokes the older ones (ids are UUIDv7, so id order is issue order).
 */
/**
 * PostgreSQL: locks the client's row for the rest of the mint transaction, so the mints of one
 * client run one after the other and each sees the tokens the previous ones committed (the cap on
 * live tokens holds under parallel mints). SQLite write transactions are serialized already.
 */
export async function lockClientForMint(db: Kysely<DB>, clientId: string): Promise<void> {
  await db.selectFrom('oauth_clients').select('client_id').where('client_id', '=', clientId).forUpdate().execute();
}

export async function revokeOldestLiveTokens(db: Kysely<DB>, clientId: string, keep: number, now: number): Promise<number> {
  const live = await db
    .selectFrom('oauth_tokens')
    .select('id')
    .where('client_id', '=', clientId)
    .where('grant_type', '=', 'client_credentials')
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('id', 'desc')
    .offset(keep)
    .limit(10_000)
    .execute();
  if (live.length === 0) return 0;
  const result = await db
    .updateTable('oauth_tokens')
    .set({ revoked_at: now })
    .where('id', 'in', live.map((r) => r.id))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function insertCode(db: Kysely<DB>, row: OauthCodesTable): Promise<void> {
  await db.insertInto('oauth_codes').values(row).execute();
}

export async function findCodeByHash(db: Kysely<DB>, codeHash: string): Promise<OauthCodesTable | undefined> {
  return db.selectFrom('oauth_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
}

/** Single use decided by the database: only one caller ever sees the row come back (RFC 6749 §4.1.2). */
export async function consumeCode(db: Kysely<DB>, id: string, now: number): Promise<boolean> {
  const row = await db
    .updateTable('oauth_codes')
    .set({ consumed_at: now })
    .where('id', '=', id)
    .where('consumed_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertRefreshToken(db: Kysely<DB>, row: OauthRefreshTokensTable): Promise<void> {
  await db.insertInto('oauth_refresh_tokens').values(row).execute();
}

export async function findRefreshTokenByHash(db: Kysely<DB>, tokenHash: string): Promise<OauthRefreshTokensTable | undefined> {
  return db.selectFrom('oauth_refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

/** Rotation: marks the refresh token used only if it is still unused and unrevoked. */
export async function useRefreshToken(db: Kysely<DB>, id: string, now: number): Promise<boolean> {
  const row = await db
    .updateTable('oauth_refresh_tokens')
    .set({ used_at: now })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Revokes every access and refresh token of a family (code reuse, refresh replay, revocation). */
export async function revokeFamily(db: Kysely<DB>, familyId: string, now: number): Promise<void> {
  await db.updateTable('oauth_tokens').set({ revoked_at: now }).where('family_id', '=', familyId).where('revoked_at', 'is', null).execute();
  await db
    .updateTable('oauth_refresh_tokens')
    .set({ revoked_at: now })
    .where('family_id', '=', familyId)
    .where('revoked_at', 'is', null)
    .execute();
}

export async function revokeTokenById(db: Kysely<DB>, id: string, now: number): Promise<void> {
  await db.updateTable('oauth_tokens').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).execute();
}

/** Revokes one refresh token by its hash (a client that keeps no refresh token drops it at once). */
export async function revokeRefreshTokenByHash(db: Kysely<DB>, tokenHash: string, now: number): Promise<void> {
  await db.updateTable('oauth_refresh_tokens').set({ revoked_at: now }).where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).execute();
}

/** Revokes every live access and refresh token of a client; returns how many access tokens. */
export async function revokeClientTokens(db: Kysely<DB>, clientId: string, now: number): Promise<number> {
  const result = await db.updateTable('oauth_tokens').set({ revoked_at: now }).where('client_id', '=', clientId).where('revoked_at', 'is', null).executeTakeFirst();
  await db.updateTable('oauth_refresh_tokens').set({ revoked_at: now }).where('client_id', '=', clientId).where('revoked_at', 'is', null).execute();
  return Number(result.numUpdatedRows);
}

/** Drops authorization codes that expired before `cutoff`; returns how many. */
export async function deleteCodesExpiredBefore(db: Kysely<DB>, cutoff: number): Promise<number> {
  return Number((await db.deleteFrom('oauth_codes').where('expires_at', '<', cutoff).executeTakeFirst()).numDeletedRows);
}

/** Drops refresh tokens that expired before `cutoff`; returns how many. */
export async function deleteRefreshTokensExpiredBefore(db: Kysely<DB>, cutoff: number): Promise<number> {
  return Number((await db.deleteFrom('oauth_refresh_tokens').where('expires_at', '<', cutoff).executeTakeFirst()).numDeletedRows);
}
