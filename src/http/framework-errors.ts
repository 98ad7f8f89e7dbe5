import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../lib/errors.js';
import { contentLanguage, negotiateLocale, translate } from '../lib/i18n.js';
import { sendErrorPage } from './error-page.js';
import { NO_STORE } from './cache-headers.js';
import { apiErrorBody, oauthErrorBody } from './error-response.js';
import { OAuthError } from '../modules/oauth/oauth-error.js';

/** Routes whose errors are RFC 6749 JSON, and routes that answer HTML pages (even for errors). */
const OAUTH_JSON = /^\/oauth\/v2\/(token|revoke|introspect)(\/|\?|$)/;
const HTML_PAGES = /^\/(oauth\/v2\/authorize|business\/|redeem\/|authorize(\?|$)|revoke(\?|$))/;

/**
 * Errors the router raises before any route or hook runs — a path parameter longer than the
 * router's limit (414) or a malformed percent-encoding in the path (400) — answered like every
 * other error of that family of routes: the API's `{code, message, request_id}`, the OAuth
 * endpoints' `{error, error_description}`, or an HTML page; always with `X-Request-Id`.
 */
export function frameworkErrors(maxParamLength: number) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    const locale = negotiateLocale(request.headers['accept-language']);
    const error =
      err.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? new AppError('uri_too_long', 'uri_too_long', { params: { limit: maxParamLength } })
        : new AppError('invalid_request', 'invalid_request');
    const message = translate(locale, error.messageKey, error.options.params);
    const path = request.raw.url ?? '';
    void reply.header('x-request-id', request.id).header('x-content-type-options', 'nosniff').header('content-language', contentLanguage(locale));
    if (HTML_PAGES.test(path)) {
      sendErrorPage(request, reply, error, { locale });
      return;
    }
    if (OAUTH_JSON.test(path)) {
      void reply.status(error.status).headers(NO_STORE).send(oauthErrorBody(request, new OAuthError('invalid_request', message)));
      return;
    }
    void reply.status(error.status).send(apiErrorBody(request, error, locale));
  };
}
