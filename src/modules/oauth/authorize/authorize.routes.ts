import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../context.js';
import { translate } from '../../../lib/i18n.js';
import { adminOrganizationsOf, isOrganizationAdmin } from '../../orgs/org.service.js';
import { withParams } from '../redirect-uri.js';
import { SCOPES } from '../scopes.js';
import { CONSOLE_CLIENT_ID } from '../console-client.js';
import { issueAuthorizationCode } from './code.service.js';
import { sendPage } from './html.js';
import { login } from './login.service.js';
import { consentPage, loginPage } from './pages.js';
import { badClient, csrfRefused } from './page-errors.js';
import { validateAuthorizationRequest, type AuthorizationRequest } from './request.js';
import { boundCsrfToken, boundCsrfValid, consentBinding, csrfToken, csrfValid, sessionUser, startSession } from './session.js';
import { Type } from '@sinclair/typebox';
import { PUBLIC } from '../../../http/openapi/security.js';
import { AuthorizeQuery, HtmlPage } from '../oauth.schemas.js';
import { NO_STORE, SEE_OTHER } from '../../../http/cache-headers.js';
import { authorizeRedirectError, type AuthorizeErrorCode } from '../../../http/error-response.js';

const PATH = '/oauth/v2/authorize';

const redirect = (description: string) => ({ description, headers: { Location: { type: 'string', description: 'redirect_uri with code (or error), state and iss' } }, type: 'null' });

const authorizeGet = {
  summary: 'Authorization endpoint',
  description:
    'RFC 6749 §4.1 with PKCE (S256 required): shows the sign-in page, then the consent page. A request that names no valid client or redirect_uri is answered here (400 page); any other error goes back to redirect_uri.',
  operationId: 'startAuthorization',
  tags: ['oauth'],
  security: PUBLIC,
  documentation: { querystring: AuthorizeQuery },
  response: { 200: { ...HtmlPage, description: 'Sign-in or consent page' }, 302: redirect('Back to the client with an error (with prompt=none: the code, or login_required / consent_required)'), 400: { ...HtmlPage, description: 'Bad client or redirect_uri (error page)' } },
};

const authorizePost = {
  summary: 'Authorization endpoint: sign in, allow or deny',
  description: 'The pages post here: `action=login` (email, password) signs in; `approve` / `deny` answer the consent (CSRF token required). 303 back to the client with the code or the error.',
  operationId: 'submitAuthorization',
  tags: ['oauth'],
  security: PUBLIC,
  documentation: {
    consumes: ['application/x-www-form-urlencoded'],
    body: Type.Composite([
      AuthorizeQuery,
      Type.Object({
        csrf_token: Type.String(),
        action: Type.Union([Type.Literal('login'), Type.Literal('approve'), Type.Literal('deny')]),
        email: Type.Optional(Type.String()),
        password: Type.Optional(Type.String({ format: 'password' })),
      }),
    ]),
  },
  response: {
    200: { ...HtmlPage, description: 'Sign-in or consent page' },
    303: redirect('Signed in (back to the consent), or back to the client with the code or an error'),
    400: { ...HtmlPage, description: 'Bad client or redirect_uri (error page)' },
    401: { ...HtmlPage, description: 'Wrong email or password (sign-in page again)' },
    403: { ...HtmlPage, description: 'CSRF token missing or wrong' },
    413: { ...HtmlPage, description: 'Body over the limit' },
    429: { ...HtmlPage, description: 'Too many sign-in attempts; Retry-After' },
  },
};

/** Sends the browser back to the client (RFC 6749 §4.1.2; RFC 9207 `iss`). 303 after a POST. */
function redirectBack(ctx: AppContext, reply: FastifyReply, status: 302 | 303, uri: string, params: Record<string, string | undefined>) {
  return reply
    .status(status)
    .headers({ location: withParams(uri, { ...params, iss: ctx.config.issuer }), ...SEE_OTHER })
    .send();
}

/** Sends the browser back with an error: the code's public description, the specific reason only in the log. */
function redirectError(
  ctx: AppContext,
  req: FastifyRequest,
  reply: FastifyReply,
  status: 302 | 303,
  back: { redirectUri: string; state: string | undefined },
  error: AuthorizeErrorCode,
  detail: string,
) {
  return redirectBack(ctx, reply, status, back.redirectUri, { ...authorizeRedirectError(req, error, detail), state: back.state });
}

/**
 * Delegated scope: only an ADMIN of the first-party client's organization may grant it; through a
 * client bound to no organization (the console, docs/console.md) an ADMIN of at least one
 * organization, whose token then reaches only the organizations they administer (docs/oauth.md).
 */
async function mayGrant(ctx: AppContext, request: AuthorizationRequest, userId: string): Promise<boolean> {
  if (!request.scopes.includes(SCOPES.delegated)) return true;
  const orgId = request.client.organization_id;
  if (orgId === null) return (await adminOrganizationsOf(ctx, userId)).length > 0;
  return isOrganizationAdmin(ctx, orgId, userId);
}

async function showConsent(ctx: AppContext, req: FastifyRequest, reply: FastifyReply, ar: AuthorizationRequest, user: { id: string; email: string }, status: 302 | 303) {
  if (!(await mayGrant(ctx, ar, user.id))) {
    return redirectError(ctx, req, reply, status, ar, 'access_denied', 'The signed-in user may not grant this scope.');
  }
  const html = consentPage(req.locale, {
    action: PATH,
    hidden: { ...ar.params, csrf_token: boundCsrfToken(ctx, req, reply, consentBinding(PATH, ar.params, user.id)) },
    app: ar.client.name,
    email: user.email,
    scopes: ar.scopes,
  });
  return sendPage(reply, 200, html);
}

/**
 * `prompt=none` (OpenID Connect Core §3.1.2.1): no page at all. Without a sign-in session →
 * `login_required`; a client whose consent page must be shown (every client but the console:
 * voucherd remembers no consent) → `consent_required`; the console, whose sign-in is the user's
 * own voucherd session, gets its code at once — that is how a reload signs in again silently
 * (docs/console.md). The code can only reach the console's registered callback, which drops it
 * unless the state matches the sign-in it started.
 */
async function answerWithoutPage(ctx: AppContext, req: FastifyRequest, reply: FastifyReply, ar: AuthorizationRequest, user: { id: string } | null) {
  const fail = (error: AuthorizeErrorCode, detail: string) => redirectError(ctx, req, reply, 302, ar, error, detail);
  if (!user) return fail('login_required', 'No one is signed in.');
  if (ar.client.client_id !== CONSOLE_CLIENT_ID) return fail('consent_required', 'This app needs the consent page.');
  if (!(await mayGrant(ctx, ar, user.id))) return fail('access_denied', 'The signed-in user may not grant this scope.');
  return redirectBack(ctx, reply, 302, ar.redirectUri, { code: await issueAuthorizationCode(ctx, ar, user.id), state: ar.state });
}

/**
 * GET /oauth/v2/authorize → sign-in page or consent page; POST → sign in (303 back to GET) or
 * Allow/Deny (303 to the client). The request's parameters travel in hidden fields and are
 * re-validated on every step (RFC 6749 §4.1, RFC 7636, RFC 9700 §2.1, §4.1).
 */
export async function authorizeRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;

  app.get(PATH, { schema: authorizeGet }, async (req, reply) => {
    const v = await validateAuthorizationRequest(ctx, req.query as Record<string, unknown>);
    if (v.kind === 'fatal') throw badClient(v.detail);
    if (v.kind === 'redirect') return redirectError(ctx, req, reply, 302, v, v.error, v.detail);
    const user = await sessionUser(ctx, req);
    if (v.request.params.prompt === 'none') return answerWithoutPage(ctx, req, reply, v.request, user);
    if (!user) return sendPage(reply, 200, loginPage(req.locale, PATH, { ...v.request.params, csrf_token: csrfToken(ctx, req, reply) }));
    return showConsent(ctx, req, reply, v.request, user, 302);
  });

  app.post(PATH, { schema: authorizePost }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const v = await validateAuthorizationRequest(ctx, body);
    if (v.kind === 'fatal') throw badClient(v.detail);
    const submitted = typeof body.csrf_token === 'string' ? body.csrf_token : undefined;
    const action = body.action;
    // The sign-in form carries the browser's token; a consent form carries it bound to the consent
    // shown and the signed-in user (session.ts).
    const user = action === 'login' ? null : await sessionUser(ctx, req);
    const csrfOk =
      user && v.kind === 'ok' ? boundCsrfValid(req, submitted, consentBinding(PATH, v.request.params, user.id)) : csrfValid(req, submitted);
    if (!csrfOk) throw csrfRefused();
    if (v.kind === 'redirect') return redirectError(ctx, req, reply, 303, v, v.error, v.detail);
    const ar = v.request;
    if (action === 'login') {
      const result = await login(ctx, String(body.email ?? ''), String(body.password ?? ''), req.ip);
      if (result.ok) {
        await startSession(ctx, reply, result.userId);
        return reply.status(303).headers({ location: `${PATH}?${new URLSearchParams(ar.params as Record<string, string>).toString()}`, ...NO_STORE }).send();
      }
      const hidden = { ...ar.params, csrf_token: csrfToken(ctx, req, reply) };
      if (result.rateLimited) {
        void reply.header('retry-after', String(result.retryAfterSeconds));
        return sendPage(reply, 429, loginPage(req.locale, PATH, hidden, translate(req.locale, 'page_login_rate_limited', { seconds: result.retryAfterSeconds })));
      }
      return sendPage(reply, 401, loginPage(req.locale, PATH, hidden, translate(req.locale, 'page_login_failed')));
    }
    if (!user) return sendPage(reply, 200, loginPage(req.locale, PATH, { ...ar.params, csrf_token: csrfToken(ctx, req, reply) }));
    if (action === 'deny') {
      return redirectError(ctx, req, reply, 303, ar, 'access_denied', 'The user denied the request.');
    }
    if (action !== 'approve') return showConsent(ctx, req, reply, ar, user, 303);
    if (!(await mayGrant(ctx, ar, user.id))) {
      return redirectError(ctx, req, reply, 303, ar, 'access_denied', 'The signed-in user may not grant this scope.');
    }
    const code = await issueAuthorizationCode(ctx, ar, user.id);
    return redirectBack(ctx, reply, 303, ar.redirectUri, { code, state: ar.state });
  });
}
