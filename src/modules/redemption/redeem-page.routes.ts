import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import { isWellFormedCode, normalizeCode } from '../../lib/codes.js';
import { AppError } from '../../lib/errors.js';
import { readCookie, setCookie } from '../../http/cookies.js';
import { formToken, formTokenValid } from '../../http/csrf.js';
import { isRider, type RiderPrincipal } from '../access/rider-access.js';
import { revokeAccessToken } from '../oauth/token-admin.service.js';
import { resolveAccessToken } from '../oauth/token.service.js';
import { claimVoucher } from './claim.service.js';
import { REDEEM_CALLBACK_PATH } from './redeem-client.js';
import { SIGN_IN_FAILURE_TEXT, claimPage, outcomePage, redeemErrorText, signInPage } from './redeem-page.view.js';
import { SIGN_IN_FLOW_TTL_SECONDS, completeSignIn, decodeFlow, encodeFlow, startSignIn, type SignInResult } from './redeem-signin.service.js';
import { NO_STORE, SEE_OTHER } from '../../http/cache-headers.js';
import { sendErrorPage, type TryAgainLink } from '../../http/error-page.js';

/**
 * The rider session of the redemption pages: an HttpOnly, SameSite=Lax cookie holding a rider
 * access token (authorization_code + vouchers.redeem), checked on every request exactly like a
 * bearer token. Whatever signs the rider in (the OAuth authorization_code flow) sets it.
 */
export const RIDER_SESSION_COOKIE = 'voucherd_rider';
/** The sign-in in progress (state, PKCE verifier, code being claimed); sent only to the callback. */
export const SIGN_IN_FLOW_COOKIE = 'voucherd_redeem_flow';

/** Lax: the rider session and the sign-in flow must ride along the top-level navigations back from sign-in. */
const cookie = (path: string, maxAgeSeconds: number) => ({ path, maxAgeSeconds, sameSite: 'Lax' as const });
/** What the claim and sign-out forms' token is bound to (src/http/csrf.ts), keyed by the rider session token. */
const REDEEM_FORM_BINDING = 'redeem-page';

/** The errors the pages raise themselves (a claim's come from the claim service); redeemErrorText words them. */
const malformedCode = () => new AppError('not_found', 'redeem_malformed_text', { detail: 'not a well-formed code' });
const formRefused = () => new AppError('forbidden', 'redeem_forbidden_text', { detail: 'CSRF token missing or wrong' });
/** A sign-in that did not complete: 403 when the rider denied consent, 400 otherwise; the specific reason is logged. */
const signInFailed = (result: Exclude<SignInResult, { ok: true }>) =>
  new AppError(result.reason === 'denied' ? 'forbidden' : 'invalid_request', SIGN_IN_FAILURE_TEXT[result.reason], { detail: `sign-in ${result.reason}: ${result.detail}` });
/** Back to the code being claimed, to start the sign-in again (the code came from our own flow cookie, re-checked). */
const tryAgain = (code: string): TryAgainLink => ({ href: `/redeem/${encodeURIComponent(code)}`, label: 'redeem_try_again' });

function redirect(reply: FastifyReply, location: string): FastifyReply {
  return reply.status(303).headers({ location, ...SEE_OTHER }).send();
}

async function riderSession(ctx: AppContext, request: FastifyRequest): Promise<{ rider: RiderPrincipal; token: string } | null> {
  const token = readCookie(request, RIDER_SESSION_COOKIE);
  if (!token) return null;
  const principal = await resolveAccessToken(ctx, token);
  return principal && isRider(principal) ? { rider: principal, token } : null;
}

function page(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
    .header('x-frame-options', 'DENY')
    .headers(NO_STORE)
    .header('referrer-policy', 'no-referrer')
    .send(html);
}

/** GET/POST /redeem/{code_text}: the redemption link a rider opens and claims with one click. */
export async function redeemPageRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  const params = { type: 'object', properties: { code_text: { type: 'string', maxLength: 64 } }, required: ['code_text'] };

  app.get<{ Params: { code_text: string } }>('/redeem/:code_text', { schema: { hide: true, params } }, async (request, reply) => {
    const code = normalizeCode(request.params.code_text);
    // Typos are caught without touching the database; nothing is looked up before sign-in either.
    if (!isWellFormedCode(code)) throw malformedCode();
    const session = await riderSession(ctx, request);
    if (!session) return page(reply, 200, signInPage(request.locale, code));
    return page(reply, 200, claimPage(code, formToken(session.token, REDEEM_FORM_BINDING), request.locale));
  });

  // "Sign in to claim": starts the authorization_code flow of voucherd's own web redemption client.
  app.get<{ Params: { code_text: string } }>('/redeem/:code_text/sign-in', { schema: { hide: true, params } }, async (request, reply) => {
    const code = normalizeCode(request.params.code_text);
    if (!isWellFormedCode(code)) throw malformedCode();
    const { flow, location } = await startSignIn(ctx, code);
    setCookie(ctx, reply, SIGN_IN_FLOW_COOKIE, encodeFlow(flow), cookie(REDEEM_CALLBACK_PATH, SIGN_IN_FLOW_TTL_SECONDS));
    return redirect(reply, location);
  });

  // The redirection endpoint: state, iss, code exchange → rider session cookie → back to the code.
  app.get(REDEEM_CALLBACK_PATH, { schema: { hide: true } }, async (request, reply) => {
    const flow = decodeFlow(readCookie(request, SIGN_IN_FLOW_COOKIE));
    // The flow is single-use whatever happens next.
    setCookie(ctx, reply, SIGN_IN_FLOW_COOKIE, '', cookie(REDEEM_CALLBACK_PATH, 0));
    const result = await completeSignIn(ctx, request.query as Record<string, unknown>, flow);
    if (!result.ok) {
      // 'invalid' knows no code to go back to: the rider opens the voucher link again.
      const again = result.reason === 'invalid' ? undefined : tryAgain(result.code);
      return sendErrorPage(request, reply, signInFailed(result), { texts: redeemErrorText, tryAgain: again });
    }
    setCookie(ctx, reply, RIDER_SESSION_COOKIE, result.token.access_token, cookie('/redeem', result.token.expires_in));
    // Only ever back to /redeem/{a well-formed code}: the code came from our own cookie and was re-checked.
    return redirect(reply, `/redeem/${encodeURIComponent(result.code)}`);
  });

  // Sign out: revokes the session's token and clears the cookie (CSRF-protected like the claim).
  app.post<{ Params: { code_text: string } }>('/redeem/:code_text/sign-out', { schema: { hide: true, params } }, async (request, reply) => {
    const code = normalizeCode(request.params.code_text);
    const back = isWellFormedCode(code) ? `/redeem/${encodeURIComponent(code)}` : null;
    const session = await riderSession(ctx, request);
    if (session) {
      const sent = (request.body as Record<string, unknown> | undefined)?.csrf_token;
      if (!formTokenValid(session.token, REDEEM_FORM_BINDING, sent)) throw formRefused();
      await revokeAccessToken(ctx, session.rider.tokenId);
    }
    setCookie(ctx, reply, RIDER_SESSION_COOKIE, '', cookie('/redeem', 0));
    if (!back) throw malformedCode();
    return redirect(reply, back);
  });

  app.post<{ Params: { code_text: string }; Body: Record<string, unknown> }>(
    '/redeem/:code_text',
    { schema: { hide: true, params } },
    async (request, reply) => {
      const code = normalizeCode(request.params.code_text);
      if (!isWellFormedCode(code)) throw malformedCode();
      const session = await riderSession(ctx, request);
      if (!session) return page(reply, 401, signInPage(request.locale, code));
      const sent = (request.body as Record<string, unknown> | undefined)?.csrf_token;
      if (!formTokenValid(session.token, REDEEM_FORM_BINDING, sent)) throw formRefused();
      // A refused claim is thrown to the pages' error handler (src/app.ts): the one error page, worded by redeemErrorText.
      await claimVoucher(ctx, session.rider, code, { pageAddress: request.ip });
      return page(reply, 200, outcomePage('claimed', request.locale));
    },
  );
}
