import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';

/** The cookies of a request by name (the first of a repeated name); a malformed %-escape drops that cookie. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (name in cookies) continue;
    try {
      cookies[name] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // malformed %-escapes: no cookie, never a 500
    }
  }
  return cookies;
}

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  return parseCookies(request.headers.cookie)[name];
}

export interface CookieOptions {
  path: string;
  maxAgeSeconds: number;
  /** Strict for what only same-site forms need; Lax for what a top-level navigation must carry. */
  sameSite: 'Lax' | 'Strict';
}

/**
 * Adds a Set-Cookie (keeping those already set): always HttpOnly with an explicit Path and SameSite;
 * Secure when the request came over https (directly or through a trusted proxy) or the public URL is
 * https. Max-Age 0 clears it.
 */
export function setCookie(ctx: AppContext, reply: FastifyReply, name: string, value: string, options: CookieOptions): void {
  const secure = reply.request.protocol === 'https' || ctx.config.publicUrl.startsWith('https:') || ctx.config.issuer.startsWith('https:');
  const serialized = `${name}=${encodeURIComponent(value)}; Path=${options.path}; HttpOnly; SameSite=${options.sameSite}; Max-Age=${options.maxAgeSeconds}${secure ? '; Secure' : ''}`;
  const existing = reply.getHeader('set-cookie');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
  void reply.header('set-cookie', [...list, serialized]);
}
