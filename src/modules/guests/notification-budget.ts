import type { Kysely } from 'kysely';
import type { AppContext } from '../../context.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/errors.js';
import { peekRateLimit, takeRateLimitSlots } from '../../lib/rate-limit.repository.js';

/**
 * Charges `n` guest notifications to the program's budget (docs/programs.md, Notification budget):
 * GUEST_NOTIFICATIONS_PER_PROGRAM per GUEST_NOTIFICATIONS_WINDOW_SECONDS, checked and charged in
 * one statement inside the caller's transaction. Over budget it throws, so the transaction — the
 * guests, the distribution and the charge — rolls back and nothing is sent: 429 with Retry-After
 * when waiting helps, 400 when the request alone is larger than the whole budget.
 */
export async function chargeGuestNotifications(ctx: AppContext, trx: Kysely<DB>, programId: string, n: number): Promise<void> {
  if (n === 0) return;
  const limit = ctx.config.guestNotificationsPerProgram;
  const window = ctx.config.guestNotificationsWindowSeconds;
  if (n > limit) {
    throw new AppError('invalid_request', 'guest_notifications_over_limit', { params: { requested: n, limit, window }, metadata: { field: 'guests', limit } });
  }
  const bucket = `guest-notify:${programId}`;
  const now = ctx.clock.now();
  const slot = await takeRateLimitSlots(trx, bucket, now, window * 1000, limit, n);
  if (slot.taken) return;
  const used = await peekRateLimit(trx, bucket, now, window * 1000);
  const remaining = Math.max(0, limit - used.count);
  throw new AppError('rate_limited', 'guest_notifications_limited', {
    params: { limit, window, remaining, retry_after: slot.retryAfterSeconds },
    metadata: { limit, remaining },
    headers: { 'retry-after': String(slot.retryAfterSeconds) },
  });
}
