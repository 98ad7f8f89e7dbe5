import type { AppContext } from '../../context.js';
import { AppError } from '../../lib/errors.js';
import { resolveAccessToken, type Principal } from '../oauth/token.service.js';
import { bearerChallenge } from '../../http/www-authenticate.js';


/**
 * docs/oauth.md step 1 (RFC 6750 §2.1, §3): the bearer token from the Authorization header only —
 * a token in the query string or body is ignored. Scheme name is case-insensitive.
 */
export async function authenticateBearer(ctx: AppContext, authorization: string | undefined): Promise<Principal> {
  if (!authorization) {
    throw new AppError('unauthenticated', 'auth_required', { headers: { 'www-authenticate': bearerChallenge() } });
  }
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(authorization);
  const principal = match ? await resolveAccessToken(ctx, match[1]!) : null;
  if (!principal) {
    throw new AppError('unauthenticated', 'invalid_token', {
      headers: { 'www-authenticate': bearerChallenge({ code: 'invalid_token', description: 'The access token is invalid' }) },
    });
  }
  return principal;
}
