import { randomString, s256 } from './lib/pkce.js';

/**
 * Sign-in of the console (docs/console.md): authorization_code + PKCE S256 as the public client
 * `voucherd-console`. Tokens live in this module's memory only — never in localStorage,
 * sessionStorage or a cookie — so a reload signs in again, silently (`prompt=none`) while the
 * voucherd session exists. Only the one-time PKCE verifier and state
 * cross the redirect, in sessionStorage, and are deleted when the callback reads them.
 */
export const CLIENT_ID = 'voucherd-console';
export const SCOPE = 'organizations.voucher_programs.delegated';
const PENDING_KEY = 'voucherd-console:pending-sign-in';
/** Set after a silent sign-in found no session, or after sign-out: no silent attempt until the next sign-in. */
const NO_SILENT_KEY = 'voucherd-console:no-silent-sign-in';

/** Whether a page load may try the silent sign-in (`prompt=none`) through voucherd's session. */
export function maySignInSilently(): boolean {
  return sessionStorage.getItem(NO_SILENT_KEY) === null;
}

interface Tokens {
  access: string;
  refresh: string | null;
}

let tokens: Tokens | null = null;
let refreshing: Promise<boolean> | null = null;

export const redirectUri = () => `${location.origin}/console/callback`;

export function isSignedIn(): boolean {
  return tokens !== null;
}

export function accessToken(): string | null {
  return tokens?.access ?? null;
}

/**
 * Starts the sign-in: to voucherd's login page, then back to /console/callback. `silent` asks for
 * no page at all (`prompt=none`): with a live voucherd session the code comes straight back, so a
 * reload signs in again without a click; without one, the sign-in screen is shown.
 */
export async function beginSignIn(returnTo: string, silent = false): Promise<void> {
  const verifier = randomString(32);
  const state = randomString(16);
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, returnTo, silent }));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: redirectUri(),
    scope: SCOPE,
    state,
    code_challenge: await s256(verifier),
    code_challenge_method: 'S256',
    ...(silent ? { prompt: 'none' } : {}),
  });
  location.assign(`/oauth/v2/authorize?${query}`);
}

async function tokenRequest(form: Record<string, string>): Promise<{ ok: true; tokens: Tokens } | { ok: false; reason: string }> {
  const res = await fetch('/oauth/v2/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CLIENT_ID, ...form }),
    credentials: 'omit',
  });
  const body = (await res.json().catch(() => ({}))) as { access_token?: string; refresh_token?: string; error?: string; error_description?: string };
  if (!res.ok || !body.access_token) return { ok: false, reason: body.error_description ?? body.error ?? String(res.status) };
  return { ok: true, tokens: { access: body.access_token, refresh: body.refresh_token ?? null } };
}

/** The callback: checks state (and iss), exchanges the code, forgets the verifier. */
export async function completeSignIn(search: string): Promise<{ ok: true; returnTo: string } | { ok: false; reason: string; silent?: true; returnTo?: string }> {
  const params = new URLSearchParams(search);
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  const pending = raw ? (JSON.parse(raw) as { verifier: string; state: string; returnTo: string; silent?: boolean }) : null;
  if (!pending || params.get('state') !== pending.state) return { ok: false, reason: 'state' };
  // RFC 9207: the answer comes from this voucherd (same origin as the console).
  const iss = params.get('iss');
  if (iss !== null && new URL(iss).origin !== location.origin) return { ok: false, reason: 'iss' };
  const error = params.get('error');
  if (error && pending.silent) {
    // No session (or no right to one): the sign-in screen, without an error, and no retry loop.
    sessionStorage.setItem(NO_SILENT_KEY, '1');
    return { ok: false, reason: error, silent: true, returnTo: pending.returnTo };
  }
  if (error) return { ok: false, reason: params.get('error_description') ?? error };
  const code = params.get('code');
  if (!code) return { ok: false, reason: 'code' };
  const answer = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: redirectUri(), code_verifier: pending.verifier });
  if (!answer.ok) return answer;
  tokens = answer.tokens;
  sessionStorage.removeItem(NO_SILENT_KEY);
  return { ok: true, returnTo: pending.returnTo.startsWith('/console/') ? pending.returnTo : '/console/' };
}

/** A new access token with the (rotating) refresh token; false when there is none or it is refused. */
export function refresh(): Promise<boolean> {
  refreshing ??= (async () => {
    const current = tokens?.refresh;
    if (!current) return false;
    const answer = await tokenRequest({ grant_type: 'refresh_token', refresh_token: current });
    tokens = answer.ok ? answer.tokens : null;
    return answer.ok;
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function revoke(token: string): Promise<void> {
  await fetch('/oauth/v2/revoke', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CLIENT_ID, token }),
    credentials: 'omit',
  }).catch(() => undefined);
}

/**
 * Sign-out: revokes the refresh token (its whole family, access tokens included) and the access
 * token, then ends voucherd's sign-in session (its cookie goes with this same-origin request), so
 * neither a reload nor the next sign-in gets in without the password.
 */
export async function signOut(): Promise<void> {
  const current = tokens;
  tokens = null;
  sessionStorage.setItem(NO_SILENT_KEY, '1');
  if (current?.refresh) await revoke(current.refresh);
  if (current) await revoke(current.access);
  await fetch('/oauth/v2/logout', { method: 'POST', credentials: 'same-origin' }).catch(() => undefined);
}
