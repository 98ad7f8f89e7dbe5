import type { AppContext } from '../../context.js';
import type { Worker } from '../../jobs/runner.js';
import { sweepWorker } from '../../jobs/sweep-worker.js';
import { deleteRateLimitWindowsBefore } from '../../lib/rate-limit.repository.js';
import { deleteSessionsExpiredBefore } from './authorize/session.repository.js';
import { deleteCodesExpiredBefore, deleteRefreshTokensExpiredBefore } from './token.repository.js';

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
  counts.codes = await deleteCodesExpiredBefore(db, cutoff);
  counts.sessions = await deleteSessionsExpiredBefore(db, cutoff);
  counts.refreshTokens = await deleteRefreshTokensExpiredBefore(db, cutoff);
  counts.rateLimitWindows = await deleteRateLimitWindowsBefore(db, cutoff);
  return counts;
}

export const oauthCleanupWorker: Worker = sweepWorker('oauth-cleanup', 10 * 60_000, cleanupOauth);
