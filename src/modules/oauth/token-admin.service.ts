import type { AppContext } from '../../context.js';
import { sha256Hex } from '../../lib/secrets.js';
import type { AuthenticatedClient } from './client-auth.js';
import { findRefreshTokenByHash, findTokenByHash, revokeFamily, revokeTokenById } from './token.repository.js';

/**
 * RFC 7009 §2.1: revokes an access or refresh token issued to `client`. A refresh token takes its
 * whole family (and the family's access tokens) with it. Unknown tokens and tokens of other clients
 * are ignored without telling the caller (§2.2: 200 either way; no token-existence oracle).
 */
export async function revokeToken(ctx: AppContext, client: AuthenticatedClient, token: string): Promise<void> {
  if (token.length > 512) return;
  const db = ctx.database.db;
  const hash = sha256Hex(token);
  const now = ctx.clock.now();
  const access = await findTokenByHash(db, hash);
  if (access) {
    if (access.client_id === client.clientId) await revokeTokenById(db, access.id, now);
    return;
  }
  const refresh = await findRefreshTokenByHash(db, hash);
  if (refresh && refresh.client_id === client.clientId) await revokeFamily(db, refresh.family_id, now);
}

export type Introspection = { active: false } | ({ active: true } & Record<string, string | number | boolean>);

/**
 * RFC 7662 §2.2. Active only for a live token issued to the introspecting client itself (a client
 * learns nothing about other clients' tokens); anything else is exactly `{"active":false}`.
 */
export async function introspectToken(ctx: AppContext, client: AuthenticatedClient, token: string): Promise<Introspection> {
  if (token.length > 512) return { active: false };
  const db = ctx.database.db;
  const hash = sha256Hex(token);
  const now = ctx.clock.now();
  const access = await findTokenByHash(db, hash);
  if (access) {
    if (access.client_id !== client.clientId || access.revoked_at !== null || access.expires_at <= now) return { active: false };
    return { ...activeToken(ctx, access, 'Bearer'), grant_type: access.grant_type };
  }
  const refresh = await findRefreshTokenByHash(db, hash);
  if (!refresh || refresh.client_id !== client.clientId || refresh.revoked_at !== null || refresh.used_at !== null || refresh.expires_at <= now) {
    return { active: false };
  }
  return activeToken(ctx, refresh, 'refresh_token');
}

interface TokenFacts {
  scope: string;
  client_id: string;
  user_id: string | null;
  expires_at: number;
  created_at: number;
}

/** The RFC 7662 members every active token shares; `sub` only for tokens held for a user. */
function activeToken(ctx: AppContext, token: TokenFacts, tokenType: 'Bearer' | 'refresh_token'): Introspection & { active: true } {
  return {
    active: true,
    scope: token.scope,
    client_id: token.client_id,
    token_type: tokenType,
    exp: Math.floor(token.expires_at / 1000),
    iat: Math.floor(token.created_at / 1000),
    iss: ctx.config.issuer,
    ...(token.user_id ? { sub: token.user_id } : {}),
  };
}

/** Revokes one access token by id (a rider signing out of the redemption page). */
export async function revokeAccessToken(ctx: AppContext, tokenId: string): Promise<void> {
  await revokeTokenById(ctx.database.db, tokenId, ctx.clock.now());
}
