import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { authenticateCaller } from '../client-auth.js';
import { OAuthError } from '../oauth-error.js';
import { introspectToken, revokeToken } from '../token-admin.service.js';
import { oauthErrorHandler, readForm } from './form.js';
import { Type } from '@sinclair/typebox';
import { CLIENT_AUTH_SECURITY } from '../../../http/openapi/security.js';
import { Introspection, OAUTH_FORM_TYPES, TokenParameterForm, oauthErrors } from '../oauth.schemas.js';
import { NO_STORE_NO_CACHE } from '../../../http/cache-headers.js';

const revokeSchema = {
  summary: 'Revoke a token',
  description: 'RFC 7009: revokes an access or refresh token of the calling client (a public client sends its client_id only); 200 whether or not the token existed. Effective at once in every process.',
  operationId: 'revokeToken',
  tags: ['oauth'],
  security: CLIENT_AUTH_SECURITY,
  documentation: { body: TokenParameterForm, consumes: OAUTH_FORM_TYPES },
  response: { 200: Type.Null({ description: 'Revoked (or unknown); no body' }), ...oauthErrors(400, 401, 413, 500) },
};

const introspectSchema = {
  summary: 'Introspect a token',
  description: "RFC 7662: whether a token of the calling client is active, with its scope, client, expiry and user. Another client's token is inactive.",
  operationId: 'introspectToken',
  tags: ['oauth'],
  security: CLIENT_AUTH_SECURITY,
  documentation: { body: TokenParameterForm, consumes: OAUTH_FORM_TYPES },
  response: { 200: { ...Introspection, description: 'The token state' }, ...oauthErrors(400, 401, 413, 500) },
};

/** POST /oauth/v2/revoke (RFC 7009) and POST /oauth/v2/introspect (RFC 7662), both with client authentication. */
export async function revocationRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  app.setErrorHandler(oauthErrorHandler);

  app.post('/oauth/v2/revoke', { schema: revokeSchema }, async (request, reply) => {
    const form = readForm(request);
    const client = await authenticateCaller(ctx, request.headers.authorization, form);
    if (!form.token) throw new OAuthError('invalid_request', 'token is required.');
    await revokeToken(ctx, client, form.token);
    // RFC 7009 §2.2: 200 whether or not the token existed; Uber answers 200 too.
    return reply.status(200).headers({ ...NO_STORE_NO_CACHE }).send();
  });

  app.post('/oauth/v2/introspect', { schema: introspectSchema }, async (request, reply) => {
    const form = readForm(request);
    const client = await authenticateCaller(ctx, request.headers.authorization, form);
    // RFC 7662 §2.1: introspection needs an authenticated caller; a public client has none.
    if (client.isPublic) throw new OAuthError('unauthorized_client', 'A public client may not introspect tokens.');
    if (!form.token) throw new OAuthError('invalid_request', 'token is required.');
    const result = await introspectToken(ctx, client, form.token);
    void reply.headers({ ...NO_STORE_NO_CACHE });
    return result;
  });
}
