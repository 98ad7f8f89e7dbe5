import { createHash } from 'node:crypto';
import type { AppContext } from '../../context.js';
import { isWellFormedCode } from '../../lib/codes.js';
import { randomToken, sha256Hex } from '../../lib/secrets.js';
import { constantTimeEqual } from '../../lib/constant-time.js';
import { OAuthError } from '../oauth/oauth-error.js';
import { SCOPES, parseScope } from '../oauth/scopes.js';
import { authorizationCodeGrant } from '../oauth/token/grants/authorization-code.js';
import { revokeRefreshTokenByHash } from '../oauth/token.repository.js';
import type { IssuedToken } from '../oauth/token.service.js';
import { REDEEM_CLIENT_ID, ensureRedeemClient, loadRedeemClient, redeemRedirectUri } from './redeem-client.js';

/** How long a started sign-in (state + PKCE verifier) stays usable: login and consent fit in it. */
export const SIGN_IN_FLOW_TTL_SECONDS = 600;

/** A sign-in in progress, kept in the browser's HttpOnly flow cookie and bound to `state`. */
export interface SignInFlow {
  state: string;
  verifier: string;
  /** The normalized, well-formed code the rider is claiming: the only place the callback returns to. */
  code: string;
  startedAt: number;
}

const STATE = /^[A-Za-z0-9_-]{43}$/;

export function encodeFlow(flow: SignInFlow): string {
  return `${flow.state}.${flow.verifier}.${flow.code}.${flow.startedAt}`;
}

/** Parses the flow cookie; anything not exactly in shape is no flow at all. */
export function decodeFlow(value: string | undefined): SignInFlow | null {
  if (!value || value.length > 400) return null;
  const parts = value.split('.');
  if (parts.length !== 4) return null;
  const [state, verifier, code, startedAt] = parts as [string, string, string, string];
  if (!STATE.test(state) || !STATE.test(verifier) || !isWellFormedCode(code) || !/^\d{1,16}$/.test(startedAt)) return null;
  return { state, verifier, code, startedAt: Number(startedAt) };
}

/**
 * Starts the authorization_code flow for a code (RFC 6749 §4.1.1, RFC 7636 §4.1–4.3, RFC 9700
 * §2.1.1): fresh 256-bit `state` and PKCE verifier, S256 challenge. Returns the flow (for the
 * cookie) and the authorization request URL.
 */
export async function startSignIn(ctx: AppContext, code: string): Promise<{ flow: SignInFlow; location: string }> {
  await ensureRedeemClient(ctx);
  const flow: SignInFlow = { state: randomToken(ctx.random, 32), verifier: randomToken(ctx.random, 32), code, startedAt: ctx.clock.now() };
  const challenge = createHash('sha256').update(flow.verifier, 'ascii').digest('base64url');
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: REDEEM_CLIENT_ID,
    redirect_uri: redeemRedirectUri(ctx),
    scope: SCOPES.redeem,
    state: flow.state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  return { flow, location: `/oauth/v2/authorize?${query.toString()}` };
}

export type SignInResult =
  | { ok: true; code: string; token: IssuedToken }
  /**
   * invalid: no flow / state or issuer mismatch (nothing to return to); the others know the code.
   * `detail` is the specific reason, for the request log only (never the page, never a code or token).
   */
  | { ok: false; reason: 'invalid'; detail: string }
  | { ok: false; reason: 'expired' | 'denied' | 'failed'; code: string; detail: string };

function one(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The redirection endpoint (RFC 6749 §4.1.2): checks `state` against the flow cookie in constant
 * time (RFC 6749 §10.12), the issuer (RFC 9207 §2.4), the flow's age, then exchanges the code
 * through the authorization_code grant (PKCE verifier, exact redirect URI, single use). The page
 * keeps no refresh token: it is revoked at once.
 */
export async function completeSignIn(ctx: AppContext, query: Record<string, unknown>, flow: SignInFlow | null): Promise<SignInResult> {
  const state = one(query, 'state');
  if (!flow) return { ok: false, reason: 'invalid', detail: 'no sign-in flow cookie, or one not in shape' };
  if (state === undefined || !constantTimeEqual(state, flow.state)) return { ok: false, reason: 'invalid', detail: 'state does not match the sign-in flow' };
  // RFC 9207: a response without our issuer may come from another authorization server (mix-up).
  const iss = one(query, 'iss');
  if (iss === undefined || !constantTimeEqual(iss, ctx.config.issuer)) return { ok: false, reason: 'invalid', detail: 'iss missing or not this issuer' };
  if (ctx.clock.now() - flow.startedAt > SIGN_IN_FLOW_TTL_SECONDS * 1000 || flow.startedAt > ctx.clock.now()) {
    return { ok: false, reason: 'expired', code: flow.code, detail: 'the sign-in flow is older than its lifetime' };
  }
  const error = one(query, 'error');
  if (error !== undefined) {
    // The error code comes from the query: logged only when it has the shape of an OAuth error code.
    const named = /^[a-z_]{1,40}$/.test(error) ? error : 'not an error code';
    return { ok: false, reason: error === 'access_denied' ? 'denied' : 'failed', code: flow.code, detail: `authorization answered error=${named}` };
  }
  const authorizationCode = one(query, 'code');
  if (authorizationCode === undefined) return { ok: false, reason: 'failed', code: flow.code, detail: 'no authorization code in the answer' };
  const client = await loadRedeemClient(ctx);
  if (!client) return { ok: false, reason: 'failed', code: flow.code, detail: 'the redemption client is missing or disabled' };
  let token: IssuedToken;
  try {
    token = await authorizationCodeGrant(ctx, client, {
      grant_type: 'authorization_code',
      code: authorizationCode,
      redirect_uri: redeemRedirectUri(ctx),
      code_verifier: flow.verifier,
    });
  } catch (err) {
    if (err instanceof OAuthError) return { ok: false, reason: 'expired', code: flow.code, detail: `code exchange refused (${err.error}): ${err.detail}` };
    throw err;
  }
  if (token.refresh_token) await revokeRefreshTokenByHash(ctx.database.db, sha256Hex(token.refresh_token), ctx.clock.now());
  if (!parseScope(token.scope).includes(SCOPES.redeem)) return { ok: false, reason: 'failed', code: flow.code, detail: 'the token lacks the vouchers.redeem scope' };
  const { access_token, token_type, expires_in, scope } = token;
  return { ok: true, code: flow.code, token: { access_token, token_type, expires_in, scope } };
}
