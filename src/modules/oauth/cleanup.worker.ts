import type { AppContext } from '../../context.js';
import type { Worker } from '../../jobs/runner.js';

const DAY = 86_400_000;

/**
 * Deletes what the authorization server no longer needs, a day after it stopped mattering: expired
 * authorization codes, login sessions, refresh tokens and old rate-limit windows. Runs in one
 * process at a time (singleton lease).
 */
export async function cleanupOauth(ctx: AppContext): Promise<Record<string, number>> {
  const db = ctx.database.db;
  const cutoff = ctx.clock.now() - DAY;
  const counts: Record<string, number> = {};
  counts.codes = Number((await db.deleteFrom('oauth_codes').where('expires_at', '<', cutoff).executeTakeFirst()).numDeletedRows);
  counts.sessions = Number((await db.deleteFrom('oauth_sessions').where('expires_at', '<', cutoff).executeTakeFirst()).numDeletedRows);
  counts.refreshTokens = Number((await db.deleteFrom('oauth_refresh_tokens').where('expires_at', '<', cutoff).executeTakeFirst()).numDeletedRows);
  counts.rateLimitWindows = Number((await db.deleteFrom('rate_limit_counters').where('window_start', '<', cutoff).executeTakeFirst()).numDeletedRows);
  return counts;
}

export const oauthCleanupWorker: Worker = {
  name: 'oauth-cleanup',
  intervalMs: 10 * 60_000,
  singleton: true,
  async run(ctx) {
    await cleanupOauth(ctx);
  },
};
