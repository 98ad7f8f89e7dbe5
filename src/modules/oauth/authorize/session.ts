import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../context.js';
import { createHmac } from 'node:crypto';
import { randomToken, safeEqual, sha256Hex } from '../../../lib/secrets.js';
import { deleteSession, findSessionUser, insertSession } from './session.repository.js';

const SESSION_COOKIE = 'voucherd_session';
const CSRF_COOKIE = 'voucherd_csrf';

export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!(name in cookies)) cookies[name] = part.slice(eq + 1).trim();
  }
  return cookies;
}

function cookie(ctx: AppContext, name: string, value: string, maxAgeSeconds: number, sameSite: 'Lax' | 'Strict'): string {
  const secure = ctx.config.issuer.startsWith('https:') ? '; Secure' : '';
  return `${name}=${value}; Path=/; HttpOnly; SameSite=${sameSite}; Max-Age=${maxAgeSeconds}${secure}`;
}

function appendCookie(reply: FastifyReply, value: string): void {
  const existing = reply.getHeader('set-cookie');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
  void reply.header('set-cookie', [...list, value]);
}

/**
 * CSRF token of the page (double-submit: an HttpOnly SameSite=Strict cookie and the same value in
 * a hidden field; OWASP CSRF cheat sheet). Reuses the browser's token or sets a new one.
 */
export function csrfToken(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): string {
  const existing = parseCookies(request.headers.cookie)[CSRF_COOKIE];
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const token = randomToken(ctx.random, 32);
  appendCookie(reply, cookie(ctx, CSRF_COOKIE, token, ctx.config.sessionTtlSeconds, 'Strict'));
  return token;
}

export function csrfValid(request: FastifyRequest, submitted: string | undefined): boolean {
  const expected = parseCookies(request.headers.cookie)[CSRF_COOKIE];
  if (!expected || !submitted) return false;
  return safeEqual(expected, submitted);
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

const bind = (browserToken: string, binding: string) => createHmac('sha256', browserToken).update(binding).digest('base64url');

/**
 * The token of a consent (or revoke) form: the browser's CSRF token bound by HMAC to the consent
 * shown (`consentBinding`), so a token read from one consent page cannot approve another request,
 * another user's session or changed parameters (docs/oauth.md, Pages).
 */
export function boundCsrfToken(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, binding: string): string {
  return bind(csrfToken(ctx, request, reply), binding);
}

export function boundCsrfValid(request: FastifyRequest, submitted: string | undefined, binding: string): boolean {
  const browserToken = parseCookies(request.headers.cookie)[CSRF_COOKIE];
  if (!browserToken || !submitted) return false;
  return safeEqual(bind(browserToken, binding), submitted);
}

/** The signed-in user of this browser, if its session cookie names a live session. */
export async function sessionUser(ctx: AppContext, request: FastifyRequest): Promise<{ id: string; email: string } | null> {
  const value = parseCookies(request.headers.cookie)[SESSION_COOKIE];
  if (!value || value.length > 100) return null;
  const row = await findSessionUser(ctx.database.db, sha256Hex(value));
  if (!row || row.expires_at <= ctx.clock.now()) return null;
  return { id: row.id, email: row.email };
}

export async function startSession(ctx: AppContext, reply: FastifyReply, userId: string): Promise<void> {
  const value = randomToken(ctx.random, 32);
  const now = ctx.clock.now();
  await insertSession(ctx.database.db, { id: ctx.ids.next(), token_hash: sha256Hex(value), user_id: userId, expires_at: now + ctx.config.sessionTtlSeconds * 1000, created_at: now });
  appendCookie(reply, cookie(ctx, SESSION_COOKIE, value, ctx.config.sessionTtlSeconds, 'Lax'));
  // A new CSRF token with every sign-in: one learnt before it (a shared computer, a fixation
  // attempt) is worthless after it.
  appendCookie(reply, cookie(ctx, CSRF_COOKIE, randomToken(ctx.random, 32), ctx.config.sessionTtlSeconds, 'Strict'));
}

/**
 * Ends this browser's sign-in session (docs/oauth.md, Signing out): the row is deleted, so the
 * cookie names nothing even if the browser kept it, and the cookie is cleared.
 */
export async function endSession(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const value = parseCookies(request.headers.cookie)[SESSION_COOKIE];
  if (value && value.length <= 100) await deleteSession(ctx.database.db, sha256Hex(value));
  appendCookie(reply, cookie(ctx, SESSION_COOKIE, '', 0, 'Lax'));
}
