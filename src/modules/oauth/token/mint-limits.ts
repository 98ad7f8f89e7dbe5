import type { AppContext } from '../../../context.js';
import { hitRateLimit } from '../../../lib/rate-limit.repository.js';
import { OAuthError } from '../oauth-error.js';

/**
 * Token mint limits, counted in the database (one atomic upsert per bucket) so every process
 * shares them. Uber's 100 tokens per hour is for client_credentials mints: one budget per client
 * (TOKEN_RATE_LIMIT). Grants for users (authorization_code, refresh_token) are counted per user
 * (TOKEN_USER_RATE_LIMIT), so one user refreshing in a loop cannot spend another user's sign-in,
 * and per client with a much higher ceiling (TOKEN_CLIENT_USER_RATE_LIMIT). Over a limit → 429.
 */
async function charge(ctx: AppContext, bucket: string, limit: number, who: string): Promise<void> {
  const { count, retryAfterSeconds } = await hitRateLimit(ctx.database.db, bucket, ctx.clock.now(), ctx.config.tokenRateWindowSeconds * 1000);
  if (count > limit) {
    throw new OAuthError('rate_limited', `Too many token requests ${who}; retry in ${retryAfterSeconds} seconds.`, { 'Retry-After': String(retryAfterSeconds) });
  }
}

export async function chargeClientCredentialsMint(ctx: AppContext, clientId: string): Promise<void> {
  await charge(ctx, `token:${clientId}`, ctx.config.tokenRateLimit, 'for this client');
}

/** Before a user grant is carried out (after its code or refresh token was found valid). */
export async function chargeUserGrant(ctx: AppContext, clientId: string, userId: string): Promise<void> {
  await charge(ctx, `token:user:${userId}`, ctx.config.tokenUserRateLimit, 'for this user');
  await charge(ctx, `token:user-grants:${clientId}`, ctx.config.tokenClientUserRateLimit, 'for the users of this client');
}
