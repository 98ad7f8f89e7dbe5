import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../context.js';
import { readCookie, setCookie } from '../../../http/cookies.js';
import { formToken, formTokenValid } from '../../../http/csrf.js';
import { randomToken, sha256Hex } from '../../../lib/secrets.js';
import { deleteSession, findSessionUser, insertSession } from './session.repository.js';

const SESSION_COOKIE = 'voucherd_session';
const CSRF_COOKIE = 'voucherd_csrf';

const csrfCookie = (ctx: AppContext) => ({ path: '/', maxAgeSeconds: ctx.config.sessionTtlSeconds, sameSite: 'Strict' as const });
const sessionCookie = (ctx: AppContext, maxAgeSeconds = ctx.config.sessionTtlSeconds) => ({ path: '/', maxAgeSeconds, sameSite: 'Lax' as const });
/** What the sign-in form's token is bound to (consent forms: `consentBinding`). */
const SIGN_IN_BINDING = 'oauth-sign-in';

/** This browser's CSRF secret (HttpOnly, SameSite=Strict, replaced at sign-in); set when it has none. */
function browserSecret(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): string {
  const existing = readCookie(request, CSRF_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const secret = randomToken(ctx.random, 32);
  setCookie(ctx, reply, CSRF_COOKIE, secret, csrfCookie(ctx));
  return secret;
}

/** The sign-in form's CSRF token (src/http/csrf.ts, docs/oauth.md "CSRF"). */
export function csrfToken(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): string {
  return formToken(browserSecret(ctx, request, reply), SIGN_IN_BINDING);
}

export function csrfValid(request: FastifyRequest, submitted: string | undefined): boolean {
  return formTokenValid(readCookie(request, CSRF_COOKIE), SIGN_IN_BINDING, submitted);
}

/**
 * What a consent form's token is bound to: the page's path, the request's parameters as shown and
 * the signed-in user. Fields the person chooses on the page (the organization) and the form's own
 * controls are not part of it.
 */
export function consentBinding(path: string, params: Record<string, string | undefined>, userId: string): string {
  const shown = Object.keys(params)
    .filter((k) => k !== 'csrf_token' && k !== 'action' && k !== 'org_id' && params[k] !== undefined)
    .sort()
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(params[k]!)}`)
    .join('&');
  return `${path}\n${userId}\n${shown}`;
}

/**
 * The token of a consent (or revoke) form: bound to the consent shown (`consentBinding`), so a token
 * read from one consent page cannot approve another request, another user's session or changed
 * parameters (docs/oauth.md, Pages).
 */
export function boundCsrfToken(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, binding: string): string {
  return formToken(browserSecret(ctx, request, reply), `oauth-consent\n${binding}`);
}

export function boundCsrfValid(request: FastifyRequest, submitted: string | undefined, binding: string): boolean {
  return formTokenValid(readCookie(request, CSRF_COOKIE), `oauth-consent\n${binding}`, submitted);
}

/** The signed-in user of this browser, if its session cookie names a live session. */
export async function sessionUser(ctx: AppContext, request: FastifyRequest): Promise<{ id: string; email: string } | null> {
  const value = readCookie(request, SESSION_COOKIE);
  if (!value || value.length > 100) return null;
  const row = await findSessionUser(ctx.database.db, sha256Hex(value));
  if (!row || row.expires_at <= ctx.clock.now()) return null;
  return { id: row.id, email: row.email };
}

export async function startSession(ctx: AppContext, reply: FastifyReply, userId: string): Promise<void> {
  const value = randomToken(ctx.random, 32);
  const now = ctx.clock.now();
  await insertSession(ctx.database.db, { id: ctx.ids.next(), token_hash: sha256Hex(value), user_id: userId, expires_at: now + ctx.config.sessionTtlSeconds * 1000, created_at: now });
  setCookie(ctx, reply, SESSION_COOKIE, value, sessionCookie(ctx));
  // A new CSRF token with every sign-in: one learnt before it (a shared computer, a fixation
  // attempt) is worthless after it.
  setCookie(ctx, reply, CSRF_COOKIE, randomToken(ctx.random, 32), csrfCookie(ctx));
}

/**
 * Ends this browser's sign-in session (docs/oauth.md, Signing out): the row is deleted, so the
 * cookie names nothing even if the browser kept it, and the cookie is cleared.
 */
export async function endSession(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const value = readCookie(request, SESSION_COOKIE);
  if (value && value.length <= 100) await deleteSession(ctx.database.db, sha256Hex(value));
  setCookie(ctx, reply, SESSION_COOKIE, '', sessionCookie(ctx, 0));
}
