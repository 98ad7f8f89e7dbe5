import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { limitConnectionsPerAddress, slowClientOptions } from './http/connection-limits.js';
import { errorHandler } from './http/error-handler.js';
import { pageErrorHandler } from './http/error-page.js';
import { frameworkErrors } from './http/framework-errors.js';
import { useJsonParser } from './http/json-body.js';
import { swaggerOptions } from './http/openapi/document.js';
import { rejectNulHook } from './http/reject-nul.js';
import { unknownFieldsHook } from './http/unknown-fields.js';
import { incomingRequestId, traceIdOf } from './http/request-trace.js';
import { ErrorBody } from './http/schema-types.js';
import { validatorCompiler } from './http/validation.js';
import { AppError } from './lib/errors.js';
import { contentLanguage, negotiateLocale, translate, type Locale } from './lib/i18n.js';
import { redactedRequest } from './http/log-redaction.js';
import { orgAccessHook } from './modules/access/org-access.hook.js';
import { codeExportRoutes, exportLinkRoutes } from './modules/code-exports/export-link.routes.js';
import { activityRoutes } from './modules/activity/activity.routes.js';
import { codeRoutes } from './modules/codes/codes.routes.js';
import { consoleRoutes } from './modules/console/console.routes.js';
import { meRoutes } from './modules/access/me.routes.js';
import { guestRoutes } from './modules/guests/guest.routes.js';
import { templateRoutes } from './modules/templates/template.routes.js';
import { businessRoutes } from './modules/business/business.routes.js';
import { authorizeRoutes } from './modules/oauth/authorize/authorize.routes.js';
import { logoutRoutes } from './modules/oauth/authorize/logout.routes.js';
import { metadataRoutes } from './modules/oauth/metadata.routes.js';
import { tokenRoutes } from './modules/oauth/token/index.js';
import { revocationRoutes } from './modules/oauth/token/revocation.routes.js';
import { registerMetrics } from './modules/ops/metrics.js';
import { opsRoutes } from './modules/ops/ops.routes.js';
import { programRoutes } from './modules/programs/program.routes.js';
import { createProgram } from './modules/codes/program-create.service.js';
import { listGuestsForProgram } from './modules/guests/guest.service.js';
import { redeemPageRoutes } from './modules/redemption/redeem-page.routes.js';
import { redeemErrorText } from './modules/redemption/redeem-page.view.js';
import { redemptionRoutes } from './modules/redemption/redemption.routes.js';
import { registerIdempotency } from './modules/idempotency/idempotency.hook.js';
import { sandboxRoutes } from './modules/sandbox/sandbox.routes.js';
import { webhookRoutes } from './modules/webhooks/webhook.routes.js';
import { orgWebhookRoutes } from './modules/webhooks/org-webhook.routes.js';
import { authorizedAppRoutes } from './modules/business/authorized-apps.routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    locale: Locale;
  }
  interface FastifyInstance {
    /** Set when the process starts shutting down (server.ts): new requests get 503. */
    lifecycle: { shuttingDown: boolean };
  }
}

/** Longest path parameter the router accepts (ids are 36 characters, codes far shorter); longer → 414. */
const MAX_PARAM_LENGTH = 200;
/** Form bodies of the sign-in/consent pages and of the redemption pages. */
const SIGN_IN_PAGE_BODY_LIMIT = 64 * 1024;
const REDEEM_PAGE_BODY_LIMIT = 16 * 1024;

export interface BuildOptions {
  logger?: FastifyServerOptions['logger'];
}

/**
 * TRUST_PROXY for Fastify: a hop count trusts that many addresses counted from the socket (what
 * Fastify does with a number, written out because its types accept no number), a list trusts
 * those proxies, false none.
 */
function trustProxyOption(trust: Config['trustProxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return trust === false ? false : [...trust];
}

/** Logger options with the request serializer that keeps credentials out of URLs (log-redaction.ts). */
function withRedaction(logger: BuildOptions['logger']): FastifyServerOptions['logger'] {
  if (logger === undefined || logger === false) return false;
  const base = logger === true ? {} : logger;
  return { ...base, serializers: { ...(base.serializers ?? {}), req: redactedRequest as never } };
}

/**
 * Builds the HTTP application; never listens (server.ts does). Plugins load in a fixed order:
 * external → ours → routes (docs/architecture.md, after fastify/demo).
 */
export async function buildApp(ctx: AppContext, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: withRedaction(options.logger),
    bodyLimit: ctx.config.bodyLimitBytes,
    trustProxy: trustProxyOption(ctx.config.trustProxy),
    // A valid incoming X-Request-Id is kept (and echoed); a traceparent's trace id joins every
    // log line of the request (request-trace.ts).
    genReqId: (req) => incomingRequestId(req.headers) ?? ctx.ids.next(),
    childLoggerFactory: (logger, bindings, options, req) => {
      const traceId = traceIdOf(req.headers);
      return logger.child(traceId ? { ...bindings, trace_id: traceId } : bindings, options);
    },
    return503OnClosing: true,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH, ignoreTrailingSlash: false },
    frameworkErrors: frameworkErrors(MAX_PARAM_LENGTH),
    // Slow clients (docs/limits.md, Connections): a request must arrive in time, an idle socket closes.
    http: slowClientOptions(ctx.config),
    requestTimeout: ctx.config.requestTimeoutMs,
    connectionTimeout: ctx.config.connectionTimeoutMs,
    keepAliveTimeout: ctx.config.keepAliveTimeoutMs,
  });
  limitConnectionsPerAddress(app.server, ctx.config.maxConnectionsPerAddress, ctx.config.trustProxy);

  // External plugins.
  // The OpenAPI document, generated from the route schemas (src/http/openapi/document.ts).
  await app.register(swagger, swaggerOptions(ctx.config));
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  // Ours: validation, errors, locale, request ids.
  app.setValidatorCompiler(validatorCompiler);
  app.addSchema(ErrorBody);
  app.removeContentTypeParser(['text/plain']);
  useJsonParser(app, { allowEmpty: false });
  app.decorate('lifecycle', { shuttingDown: false });
  app.decorateRequest('locale', 'en_US');
  app.decorateRequest('principal', null);
  app.decorateRequest('accessPath', null);
  app.decorateRequest('idempotencyRowId', null);
  app.addHook('onRequest', async (request, reply) => {
    request.locale = negotiateLocale(request.headers['accept-language']);
    void reply.header('x-request-id', request.id);
    void reply.header('x-content-type-options', 'nosniff');
    // Graceful shutdown (docs/guarantees.md): requests that arrive once it began are refused cleanly.
    if (app.lifecycle.shuttingDown) throw new AppError('unavailable', 'service_unavailable', { headers: { 'retry-after': '1' } });
  });
  app.addHook('onSend', async (request, reply) => {
    if (!reply.hasHeader('content-language')) void reply.header('content-language', contentLanguage(request.locale));
    // While shutting down, close each connection after its response so the server can stop.
    if (app.lifecycle.shuttingDown) void reply.header('connection', 'close');
  });
  app.addHook('preValidation', rejectNulHook);
  // Unknown body/query fields are ignored and named, or refused when strict (docs/compatibility.md).
  app.addHook('preValidation', unknownFieldsHook(ctx.config.unknownFields));
  app.setErrorHandler(errorHandler(ctx.config.bodyLimitBytes));
  app.setNotFoundHandler((request, reply) => {
    const error = new AppError('route_not_found', 'route_not_found');
    void reply.status(404).send({ code: error.code, message: translate(request.locale, 'route_not_found'), request_id: request.id });
  });

  // Routes.
  registerMetrics(app, ctx);
  await app.register(opsRoutes, { ctx });
  await app.register(async (oauth) => {
    await oauth.register(formbody, { bodyLimit: 64 * 1024 });
    // docs/oauth.md: multipart/form-data is accepted too; fields only, small, as text.
    await oauth.register(multipart, {
      attachFieldsToBody: 'keyValues',
      limits: { fields: 30, fieldSize: 8 * 1024, files: 0, fileSize: 0, parts: 30, headerPairs: 50 },
    });
    await oauth.register(tokenRoutes, { ctx });
    await oauth.register(revocationRoutes, { ctx });
  });
  await app.register(metadataRoutes, { ctx });
  await app.register(async (pages) => {
    // Login and consent pages: HTML answers, including for errors (the one error page, src/http/error-page.ts).
    await pages.register(formbody, { bodyLimit: SIGN_IN_PAGE_BODY_LIMIT });
    pages.setErrorHandler(pageErrorHandler(SIGN_IN_PAGE_BODY_LIMIT));
    await pages.register(authorizeRoutes, { ctx });
    await pages.register(logoutRoutes, { ctx });
    await pages.register(businessRoutes, { ctx });
  });
  await app.register(async (org) => {
    // Every org-scoped route sits under this hook: none can skip the access policy (docs/oauth.md).
    org.addHook('onRequest', orgAccessHook(ctx));
    // Idempotency-Key on every POST registered here (docs/programs.md): preHandler claims/replays; the answer is stored in
    // the route's business transaction (docs/architecture.md, Transactions), else by onSend.
    registerIdempotency(org, ctx);
    await org.register(programRoutes, { ctx, services: { createProgram, listGuestsForProgram } });
    await org.register(codeRoutes, { ctx });
    await org.register(guestRoutes, { ctx });
    await org.register(templateRoutes, { ctx });
    await org.register(activityRoutes, { ctx });
    await org.register(orgWebhookRoutes, { ctx });
    await org.register(authorizedAppRoutes, { ctx });
  });
  await app.register(async (org) => {
    // The same org access policy, but no Idempotency-Key: a replay would keep a copy of a one-use
    // token, and a retry may simply mint another link (docs/programs.md, Export links).
    org.addHook('onRequest', orgAccessHook(ctx));
    await org.register(exportLinkRoutes, { ctx });
  });
  // Rider API and usage: their own access hooks (rider-access.ts, docs/redemption.md); Idempotency-Key too.
  await app.register(async (riders) => {
    registerIdempotency(riders, ctx);
    await riders.register(redemptionRoutes, { ctx });
  });
  await app.register(async (pages) => {
    await pages.register(formbody, { bodyLimit: REDEEM_PAGE_BODY_LIMIT });
    // The redemption pages word their errors their own way, on the same error page.
    pages.setErrorHandler(pageErrorHandler(REDEEM_PAGE_BODY_LIMIT, redeemErrorText));
    await pages.register(redeemPageRoutes, { ctx });
  });
  // The export link carries its own credential, the token in its path (docs/programs.md, Export links).
  await app.register(codeExportRoutes, { ctx });
  await app.register(webhookRoutes, { ctx });
  // The signed-in admin's organizations (the console's picker) and the console itself (docs/console.md).
  await app.register(meRoutes, { ctx });
  await app.register(consoleRoutes, { ctx });
  // Uber's sandbox helpers exist only in a sandbox (docs/sandbox.md); in production they are 404.
  if (ctx.config.environment === 'sandbox') await app.register(sandboxRoutes, { ctx });

  return app;
}
