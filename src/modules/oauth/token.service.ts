import type { Kysely } from 'kysely';
import type { AppContext } from '../../context.js';
import type { ClientKind, DB } from '../../db/schema.js';
import { unitOfWork } from '../../db/unit-of-work.js';
import { randomToken, sha256Hex } from '../../lib/secrets.js';
import { findTokenByHash, insertRefreshToken, insertToken, lockClientForMint, revokeOldestLiveTokens } from './token.repository.js';
import { parseScope, type GrantType } from './scopes.js';

export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
}

export interface IssueInput {
  clientId: string;
  grantType: GrantType;
  scopes: string[];
  userId?: string | null;
  /** The authorization code's id for code-grant tokens and their refreshes. */
  familyId?: string | null;
}

/**
 * Opaque bearer token: 256 random bits, stored only as its SHA-256 (docs/oauth.md Tokens). A new
 * client_credentials token beyond MAX_LIVE_TOKENS_PER_CLIENT invalidates the client's oldest
 * (Uber's documented behaviour), in the same transaction — its own unit of work — which holds the
 * client's row so that parallel mints cannot all miss each other's tokens.
 */
export async function issueAccessToken(ctx: AppContext, input: IssueInput): Promise<IssuedToken> {
  return unitOfWork<IssuedToken>(ctx.database).transaction((trx) => writeAccessToken(ctx, trx, input));
}

/** Writes an access token with `db` (the caller's transaction, or a single statement). */
async function writeAccessToken(ctx: AppContext, db: Kysely<DB>, input: IssueInput): Promise<IssuedToken> {
  const token = randomToken(ctx.random, 32);
  const now = ctx.clock.now();
  const ttl = ctx.config.accessTokenTtlSeconds;
  const scope = input.scopes.join(' ');
  if (input.grantType === 'client_credentials' && ctx.database.dialect === 'postgres') await lockClientForMint(db, input.clientId);
  await insertToken(db, {
    id: ctx.ids.next(),
    token_hash: sha256Hex(token),
    client_id: input.clientId,
    user_id: input.userId ?? null,
    grant_type: input.grantType,
    scope,
    expires_at: now + ttl * 1000,
    revoked_at: null,
    created_at: now,
    family_id: input.familyId ?? null,
  });
  if (input.grantType === 'client_credentials') {
    await revokeOldestLiveTokens(db, input.clientId, ctx.config.maxLiveTokensPerClient, now);
  }
  return { access_token: token, token_type: 'Bearer', expires_in: ttl, scope };
}

/** Access + refresh token of an authorization-code family (RFC 6749 §5.1), written with `db`. */
export async function issueCodeGrantTokens(
  ctx: AppContext,
  db: Kysely<DB>,
  input: { clientId: string; userId: string; scopes: string[]; familyId: string; refreshScopes?: string[] },
): Promise<IssuedToken> {
  const access = await writeAccessToken(ctx, db, {
    clientId: input.clientId,
    grantType: 'authorization_code',
    scopes: input.scopes,
    userId: input.userId,
    familyId: input.familyId,
  });
  const refresh = randomToken(ctx.random, 32);
  const now = ctx.clock.now();
  await insertRefreshToken(db, {
    id: ctx.ids.next(),
    token_hash: sha256Hex(refresh),
    family_id: input.familyId,
    client_id: input.clientId,
    user_id: input.userId,
    // RFC 6749 §6: a rotated refresh token keeps the scope of the one it replaces.
    scope: (input.refreshScopes ?? input.scopes).join(' '),
    expires_at: now + ctx.config.refreshTokenTtlSeconds * 1000,
    used_at: null,
    revoked_at: null,
    created_at: now,
  });
  return { ...access, refresh_token: refresh };
}

/** Who is calling: what an access policy decides on. */
export interface Principal {
  tokenId: string;
  clientId: string;
  clientKind: ClientKind;
  clientOrganizationId: string | null;
  userId: string | null;
  grantType: string;
  scopes: ReadonlySet<string>;
}

/** The principal behind a bearer token, or null when it is unknown, expired, revoked or disabled. */
export async function resolveAccessToken(ctx: AppContext, token: string): Promise<Principal | null> {
  if (token.length < 16 || token.length > 512) return null;
  const row = await findTokenByHash(ctx.database.db, sha256Hex(token));
  if (!row || row.revoked_at !== null || row.client_disabled_at !== null) return null;
  if (row.expires_at <= ctx.clock.now()) return null;
  return {
    tokenId: row.id,
    clientId: row.client_id,
    clientKind: row.client_kind,
    clientOrganizationId: row.client_organization_id,
    userId: row.user_id,
    grantType: row.grant_type,
    scopes: new Set(parseScope(row.scope)),
  };
}
