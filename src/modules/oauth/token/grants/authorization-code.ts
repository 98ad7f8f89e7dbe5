import type { AppContext } from '../../../../context.js';
import { sha256Hex } from '../../../../lib/secrets.js';
import type { ClientRow } from '../../client.repository.js';
import { OAuthError, invalidGrant } from '../../oauth-error.js';
import { verifyPkce } from '../../pkce.js';
import { parseScope } from '../../scopes.js';
import { consumeCode, findCodeByHash, revokeFamily } from '../../token.repository.js';
import { issueCodeGrantTokens, type IssuedToken } from '../../token.service.js';
import { chargeUserGrant } from '../mint-limits.js';

/**
 * RFC 6749 §4.1.3 with PKCE (RFC 7636 §4.5–4.6). The code must belong to the authenticated client,
 * name the same redirect URI, be unexpired and unused, and match the verifier. A second use of a
 * code is refused and revokes every token the first use produced (RFC 6749 §4.1.2, docs/guarantees.md).
 */
export async function authorizationCodeGrant(ctx: AppContext, client: ClientRow, body: Record<string, string>): Promise<IssuedToken> {
  if (!body.code) throw new OAuthError('invalid_request', 'code is required.');
  if (!body.redirect_uri) throw new OAuthError('invalid_request', 'redirect_uri is required.');
  if (!body.code_verifier) throw invalidGrant('code_verifier is required (PKCE).');
  const db = ctx.database.db;
  const now = ctx.clock.now();
  const code = body.code.length <= 256 ? await findCodeByHash(db, sha256Hex(body.code)) : undefined;
  if (!code || code.client_id !== client.client_id) throw invalidGrant('The authorization code is invalid.');
  if (code.consumed_at !== null) {
    await revokeFamily(db, code.id, now);
    throw invalidGrant('The authorization code was already used; the tokens issued with it are revoked.');
  }
  if (code.expires_at <= now) throw invalidGrant('The authorization code has expired.');
  if (code.redirect_uri !== body.redirect_uri) throw invalidGrant('redirect_uri does not match the authorization request.');
  if (!verifyPkce(body.code_verifier, code.code_challenge)) throw invalidGrant('The code_verifier does not match the code_challenge.');
  // Limited before the code is consumed: a 429 leaves it usable for a retry within its lifetime.
  await chargeUserGrant(ctx, client.client_id, code.user_id);
  const issued = await db.transaction().execute(async (trx) => {
    if (!(await consumeCode(trx, code.id, now))) return null;
    return issueCodeGrantTokens(ctx, trx, { clientId: client.client_id, userId: code.user_id, scopes: parseScope(code.scope), familyId: code.id });
  });
  if (issued === null) {
    // Lost a race with another exchange of the same code: that is a reuse too.
    await revokeFamily(db, code.id, now);
    throw invalidGrant('The authorization code was already used; the tokens issued with it are revoked.');
  }
  return issued;
}
