import type { AppContext } from '../../../context.js';
import { randomToken, sha256Hex } from '../../../lib/secrets.js';
import { insertCode } from '../token.repository.js';
import type { AuthorizationRequest } from './request.js';

/**
 * A single-use authorization code (256 random bits, stored as its SHA-256), bound to the client,
 * redirect URI, user, scopes and PKCE challenge; lives AUTH_CODE_TTL_SECONDS (≤ 60 s).
 */
export async function issueAuthorizationCode(ctx: AppContext, request: AuthorizationRequest, userId: string): Promise<string> {
  const code = randomToken(ctx.random, 32);
  const now = ctx.clock.now();
  await insertCode(ctx.database.db, {
    id: ctx.ids.next(),
    code_hash: sha256Hex(code),
    client_id: request.client.client_id,
    user_id: userId,
    redirect_uri: request.redirectUri,
    scope: request.scopes.join(' '),
    code_challenge: request.codeChallenge,
    expires_at: now + ctx.config.authCodeTtlSeconds * 1000,
    consumed_at: null,
    created_at: now,
  });
  return code;
}
