import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import { translate } from '../../lib/i18n.js';
import { sendPage } from '../oauth/authorize/html.js';
import { login } from '../oauth/authorize/login.service.js';
import { consentPage, loginPage, revokePage } from '../oauth/authorize/pages.js';
import { badPageRequest, csrfRefused, notAdmin } from '../oauth/authorize/page-errors.js';
import { boundCsrfToken, boundCsrfValid, consentBinding, csrfToken, csrfValid, sessionUser, startSession } from '../oauth/authorize/session.js';
import { withParams } from '../oauth/redirect-uri.js';
import { SCOPES } from '../oauth/scopes.js';
import {
  AUTHORIZE_PARAMS,
  REVOKE_PARAMS,
  adminOrganizations,
  authorizeOrganization,
  revokeOrganization,
  validateBusinessRequest,
  type BusinessRequest,
} from './business.service.js';
import { SEE_OTHER } from '../../http/cache-headers.js';

/**
 * The consent pages answer at voucherd's paths and at Uber's own (Uber serves them on its business
 * host; an integration that swaps the host keeps the path). Each form posts back to the path shown.
 */
const PAGE_PATHS = [
  { authorize: '/business/authorize', revoke: '/business/revoke' },
  { authorize: '/authorize', revoke: '/revoke' },
] as const;

function see(reply: FastifyReply, location: string) {
  return reply.status(303).headers({ location, ...SEE_OTHER }).send();
}

/** Signs the admin in on the same page (shared login with /oauth/v2/authorize); null when the page was answered. */
async function signIn(ctx: AppContext, req: FastifyRequest, reply: FastifyReply, path: string, br: BusinessRequest) {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const result = await login(ctx, String(body.email ?? ''), String(body.password ?? ''), req.ip);
  if (result.ok) {
    await startSession(ctx, reply, result.userId);
    return see(reply, `${path}?${new URLSearchParams(br.params).toString()}`);
  }
  const hidden = { ...br.params, csrf_token: csrfToken(ctx, req, reply) };
  if (result.rateLimited) {
    void reply.header('retry-after', String(result.retryAfterSeconds));
    return sendPage(reply, 429, loginPage(req.locale, path, hidden, translate(req.locale, 'page_login_rate_limited', { seconds: result.retryAfterSeconds })));
  }
  return sendPage(reply, 401, loginPage(req.locale, path, hidden, translate(req.locale, 'page_login_failed')));
}

/**
 * Aggregator consent (docs/oauth.md): GET /business/authorize shows sign-in, then the consent page with
 * the organizations the user administers; approving records the authorization and sends the
 * browser to `redirect_uri?org_uuid=…`. GET /business/revoke confirms and withdraws it.
 */
export async function businessRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  for (const paths of PAGE_PATHS) registerConsentPages(app, opts.ctx, paths.authorize, paths.revoke);
}

function registerConsentPages(app: FastifyInstance, ctx: AppContext, AUTHORIZE: string, REVOKE: string): void {

  const consent = async (req: FastifyRequest, reply: FastifyReply, br: BusinessRequest, user: { id: string; email: string }, error?: string) => {
    const orgs = await adminOrganizations(ctx.database.db, user.id);
    if (orgs.length === 0) throw notAdmin('page_no_admin_org', 'the signed-in user administers no organization');
    return sendPage(
      reply,
      error ? 403 : 200,
      consentPage(req.locale, {
        action: AUTHORIZE,
        hidden: { ...br.params, csrf_token: boundCsrfToken(ctx, req, reply, consentBinding(AUTHORIZE, br.params, user.id)) },
        app: br.client.name,
        email: user.email,
        scopes: [SCOPES.aggregator],
        organizations: orgs,
        ...(error ? { error } : {}),
      }),
    );
  };

  app.get(AUTHORIZE, { schema: { hide: true } }, async (req, reply) => {
    const v = await validateBusinessRequest(ctx, req.query as Record<string, unknown>, AUTHORIZE_PARAMS);
    if (!v.ok) throw badPageRequest(v.detail);
    const user = await sessionUser(ctx, req);
    if (!user) return sendPage(reply, 200, loginPage(req.locale, AUTHORIZE, { ...v.request.params, csrf_token: csrfToken(ctx, req, reply) }));
    return consent(req, reply, v.request, user);
  });

  app.post(AUTHORIZE, { schema: { hide: true } }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const v = await validateBusinessRequest(ctx, body, AUTHORIZE_PARAMS);
    if (!v.ok) throw badPageRequest(v.detail);
    const br = v.request;
    const submitted = typeof body.csrf_token === 'string' ? body.csrf_token : undefined;
    // The sign-in form carries the browser's token; the consent form carries it bound to the
    // consent shown and the signed-in user (session.ts).
    const user = body.action === 'login' ? null : await sessionUser(ctx, req);
    if (!(user ? boundCsrfValid(req, submitted, consentBinding(AUTHORIZE, br.params, user.id)) : csrfValid(req, submitted))) {
      throw csrfRefused();
    }
    if (body.action === 'login') return signIn(ctx, req, reply, AUTHORIZE, br);
    if (!user) return sendPage(reply, 200, loginPage(req.locale, AUTHORIZE, { ...br.params, csrf_token: csrfToken(ctx, req, reply) }));
    if (body.action === 'deny') return see(reply, withParams(br.redirectUri, { error: 'access_denied' }));
    if (body.action !== 'approve') return consent(req, reply, br, user);
    const orgId = typeof body.org_id === 'string' ? body.org_id : '';
    const orgs = await adminOrganizations(ctx.database.db, user.id);
    // A MEMBER (or an admin of another organization) cannot approve for this one (A11).
    if (!orgs.some((o) => o.id === orgId)) return consent(req, reply, br, user, translate(req.locale, 'page_not_admin'));
    await authorizeOrganization(ctx, orgId, br.client.client_id, user.id);
    return see(reply, withParams(br.redirectUri, { org_uuid: orgId }));
  });

  const revokeStep = async (req: FastifyRequest, reply: FastifyReply, source: Record<string, unknown>, post: boolean) => {
    const v = await validateBusinessRequest(ctx, source, REVOKE_PARAMS);
    if (!v.ok) throw badPageRequest(v.detail);
    const br = v.request;
    const submitted = typeof source.csrf_token === 'string' ? source.csrf_token : undefined;
    const user = post && source.action === 'login' ? null : await sessionUser(ctx, req);
    if (post && !(user ? boundCsrfValid(req, submitted, consentBinding(REVOKE, br.params, user.id)) : csrfValid(req, submitted))) {
      throw csrfRefused();
    }
    if (post && source.action === 'login') return signIn(ctx, req, reply, REVOKE, br);
    if (!user) return sendPage(reply, 200, loginPage(req.locale, REVOKE, { ...br.params, csrf_token: csrfToken(ctx, req, reply) }));
    const orgId = br.params.org_uuid!;
    const org = (await adminOrganizations(ctx.database.db, user.id)).find((o) => o.id === orgId);
    if (!org) throw notAdmin('page_not_admin', 'the signed-in user is not an ADMIN of org_uuid');
    if (post && source.action === 'revoke') {
      await revokeOrganization(ctx, orgId, br.client.client_id);
      return see(reply, withParams(br.redirectUri, { org_uuid: orgId }));
    }
    const hidden = { ...br.params, csrf_token: boundCsrfToken(ctx, req, reply, consentBinding(REVOKE, br.params, user.id)) };
    return sendPage(reply, 200, revokePage(req.locale, { action: REVOKE, hidden, app: br.client.name, org: org.name, email: user.email }));
  };

  app.get(REVOKE, { schema: { hide: true } }, async (req, reply) => revokeStep(req, reply, req.query as Record<string, unknown>, false));
  app.post(REVOKE, { schema: { hide: true } }, async (req, reply) => revokeStep(req, reply, (req.body ?? {}) as Record<string, unknown>, true));
}
