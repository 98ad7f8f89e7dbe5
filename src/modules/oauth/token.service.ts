import type { AppContext } from '../../context.js';
import type { ClientKind } from '../../db/schema.js';
import { randomToken, sha256Hex } from '../../lib/secrets.js';
import { findTokenByHash, insertToken } from './token.repository.js';
import { parseScope, type GrantType } from './scopes.js';

export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/** Opaque bearer token: 256 random bits, stored only as its SHA-256 (api.md §2 Tokens). */
export async function issueAccessToken(
  ctx: AppContext,
  input: { clientId: string; grantType: GrantType; scopes: string[]; userId?: string | null },
): Promise<IssuedToken> {
  const token = randomToken(ctx.random, 32);
  const now = ctx.clock.now();
  const ttl = ctx.config.accessTokenTtlSeconds;
  const scope = input.scopes.join(' ');
  await insertToken(ctx.database.db, {
    id: ctx.ids.next(),
    token_hash: sha256Hex(token),
    client_id: input.clientId,
    user_id: input.userId ?? null,
    grant_type: input.grantType,
    scope,
    expires_at: now + ttl * 1000,
    revoked_at: null,
    created_at: now,
  });
  return { access_token: token, token_type: 'Bearer', expires_in: ttl, scope };
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
