import type { AppContext } from '../../../context.js';
import { hitRateLimit, peekRateLimit } from '../../../lib/rate-limit.js';
import { sha256Hex, verifyPassword } from '../../../lib/secrets.js';
import { findUserByEmail } from '../../orgs/org.repository.js';

export type LoginResult = { ok: true; userId: string } | { ok: false; rateLimited: false } | { ok: false; rateLimited: true; retryAfterSeconds: number };

/**
 * An unknown email is checked against this hash so both failures cost one scrypt with the same
 * parameters (same time, same answer). A fixed, well-formed record: its key matches no password
 * (finding one would mean inverting scrypt), and nothing has to be computed at startup.
 */
const DUMMY_HASH = 'scrypt$32768$8$1$dm91Y2hlcmQtZHVtbXkhIQ$2mX0CkqXp4u9f5cR3ZkJf8oWJ2mJcM1n3r7b1q9Vh5E';

/**
 * Password sign-in for the login page. Failures are counted per email and per client address in
 * the database (shared by every process); past LOGIN_MAX_FAILURES in LOGIN_WINDOW_SECONDS the
 * answer is "too many attempts" before any password is checked, known user or not.
 */
export async function login(ctx: AppContext, emailInput: string, password: string, ip: string): Promise<LoginResult> {
  const email = emailInput.trim().toLowerCase().slice(0, 254);
  const db = ctx.database.db;
  const now = ctx.clock.now();
  const windowMs = ctx.config.loginWindowSeconds * 1000;
  const buckets = [`login:email:${sha256Hex(email)}`, `login:ip:${ip}`];
  const limits = [ctx.config.loginMaxFailures, ctx.config.loginMaxFailures * 4];
  for (const [i, bucket] of buckets.entries()) {
    const seen = await peekRateLimit(db, bucket, now, windowMs);
    if (seen.count >= limits[i]!) return { ok: false, rateLimited: true, retryAfterSeconds: seen.retryAfterSeconds };
  }
  const user = email ? await findUserByEmail(db, email) : undefined;
  const valid = await verifyPassword(password.slice(0, 1024), user?.password_hash ?? DUMMY_HASH);
  if (user && valid) return { ok: true, userId: user.id };
  for (const bucket of buckets) await hitRateLimit(db, bucket, now, windowMs);
  return { ok: false, rateLimited: false };
}
