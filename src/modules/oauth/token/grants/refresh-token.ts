import type { AppContext } from '../../../../context.js';
import { sha256Hex } from '../../../../lib/secrets.js';
import type { ClientRow } from '../../client.repository.js';
import { OAuthError, invalidGrant } from '../../oauth-error.js';
import { parseScope } from '../../scopes.js';
import { findRefreshTokenByHash, revokeFamily, useRefreshToken } from '../../token.repository.js';
import { issueCodeGrantTokens, type IssuedToken } from '../../token.service.js';
import { chargeUserGrant } from '../mint-limits.js';

/**
 * RFC 6749 §6 for authorization-code families only. Bound to the client; `scope` may narrow but
 * never widen; every use rotates the refresh token, and presenting a used one again revokes the
 * whole family (RFC 9700 §4.14.2 reuse detection).
 */
export async function refreshTokenGrant(ctx: AppContext, client: ClientRow, body: Record<string, string>): Promise<IssuedToken> {
  if (!body.refresh_token) throw new OAuthError('invalid_request', 'refresh_token is required.');
  const db = ctx.database.db;
  const now = ctx.clock.now();
  const row = body.refresh_token.length <= 256 ? await findRefreshTokenByHash(db, sha256Hex(body.refresh_token)) : undefined;
  if (!row || row.client_id !== client.client_id) throw invalidGrant('The refresh token is invalid.');
  if (row.revoked_at !== null) throw invalidGrant('The refresh token is revoked.');
  if (row.used_at !== null) {
    await revokeFamily(db, row.family_id, now);
    throw invalidGrant('The refresh token was already used; its token family is revoked.');
  }
  if (row.expires_at <= now) throw invalidGrant('The refresh token has expired.');
  const granted = parseScope(row.scope);
  let scopes = granted;
  if (body.scope !== undefined) {
    scopes = parseScope(body.scope);
    const wider = scopes.find((s) => !granted.includes(s));
    if (wider !== undefined) throw new OAuthError('invalid_scope', `The scope ${wider} was not granted to this refresh token.`);
    if (scopes.length === 0) throw new OAuthError('invalid_scope', 'scope is empty.');
  }
  // Limited before the refresh token is used: a 429 leaves it valid for a retry.
  await chargeUserGrant(ctx, client.client_id, row.user_id);
  const issued = await db.transaction().execute(async (trx) => {
    if (!(await useRefreshToken(trx, row.id, now))) return null;
    return issueCodeGrantTokens(ctx, trx, {
      clientId: client.client_id,
      userId: row.user_id,
      scopes,
      refreshScopes: granted,
      familyId: row.family_id,
    });
  });
  if (issued === null) {
    await revokeFamily(db, row.family_id, now);
    throw invalidGrant('The refresh token was already used; its token family is revoked.');
  }
  return issued;
}
