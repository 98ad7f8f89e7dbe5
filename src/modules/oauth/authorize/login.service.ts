import type { AppContext } from '../../../context.js';
import { refundRateLimitSlot, takeRateLimitSlot, type RateLimitSlot } from '../../../lib/rate-limit.repository.js';
import { sha256Hex, verifyPassword } from '../../../lib/secrets.js';
import { findUserByEmail } from '../../orgs/org.repository.js';
import { loginGates } from './login-gates.js';

export type LoginResult = { ok: true; userId: string } | { ok: false; rateLimited: false } | { ok: false; rateLimited: true; retryAfterSeconds: number };

/**
 * An unknown email is checked against this hash so both failures cost one scrypt with the same
 * parameters (same time, same answer). A fixed, well-formed record: its key matches no password
 * (finding one would mean inverting scrypt), and nothing has to be computed at startup.
 */
const DUMMY_HASH = 'scrypt$32768$8$1$dm91Y2hlcmQtZHVtbXkhIQ$2mX0CkqXp4u9f5cR3ZkJf8oWJ2mJcM1n3r7b1q9Vh5E';

/** Answer for a sign-in refused because another check of the same account or address is running. */
const BUSY: LoginResult = { ok: false, rateLimited: true, retryAfterSeconds: 1 };

/**
 * Password sign-in for the login page. Every attempt first takes a slot of the per-email and the
 * per-address failure limits in the database (one increment-then-check statement each, shared by
 * every process), so a parallel burst never gets more than LOGIN_MAX_FAILURES (per email) or 4×
 * that (per address) password checks per LOGIN_WINDOW_SECONDS; a refused slot answers "too many
 * attempts" before any password is checked, known user or not. A successful sign-in gives its
 * slots back. The checks themselves are bounded in the process (login-gates.ts).
 */
export async function login(ctx: AppContext, emailInput: string, password: string, ip: string): Promise<LoginResult> {
  const email = emailInput.trim().toLowerCase().slice(0, 254);
  const account = `login:email:${sha256Hex(email)}`;
  const address = `login:ip:${ip}`;
  const gates = loginGates(ctx);
  if (!gates.perAccount.tryEnter(account)) return BUSY;
  try {
    if (!gates.perAddress.tryEnter(address)) return BUSY;
    try {
      return await checkPassword(ctx, email, password, account, address);
    } finally {
      gates.perAddress.leave(address);
    }
  } finally {
    gates.perAccount.leave(account);
  }
}

async function checkPassword(ctx: AppContext, email: string, password: string, account: string, address: string): Promise<LoginResult> {
  const db = ctx.database.db;
  const now = ctx.clock.now();
  const windowMs = ctx.config.loginWindowSeconds * 1000;
  const accountSlot = await takeRateLimitSlot(db, account, now, windowMs, ctx.config.loginMaxFailures);
  if (!accountSlot.taken) return limited(accountSlot);
  const addressSlot = await takeRateLimitSlot(db, address, now, windowMs, ctx.config.loginMaxFailures * 4);
  if (!addressSlot.taken) {
    await refundRateLimitSlot(db, account, accountSlot.windowStart);
    return limited(addressSlot);
  }
  const user = email ? await findUserByEmail(db, email) : undefined;
  const valid = await loginGates(ctx).hashing.run(() => verifyPassword(password.slice(0, 1024), user?.password_hash ?? DUMMY_HASH));
  if (!(user && valid)) return { ok: false, rateLimited: false };
  await refundRateLimitSlot(db, account, accountSlot.windowStart);
  await refundRateLimitSlot(db, address, addressSlot.windowStart);
  return { ok: true, userId: user.id };
}

function limited(slot: RateLimitSlot): LoginResult {
  return { ok: false, rateLimited: true, retryAfterSeconds: slot.retryAfterSeconds };
}
