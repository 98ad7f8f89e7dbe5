import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { authenticateClient } from '../client-auth.js';
import { OAuthError } from '../oauth-error.js';
import { introspectToken, revokeToken } from '../token-admin.service.js';
import { oauthErrorHandler, readForm } from './form.js';

/** POST /oauth/v2/revoke (RFC 7009) and POST /oauth/v2/introspect (RFC 7662), both with client authentication. */
export async function revocationRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  app.setErrorHandler(oauthErrorHandler);

  app.post('/oauth/v2/revoke', { schema: { hide: true } }, async (request, reply) => {
    const form = readForm(request);
    const client = await authenticateClient(ctx, request.headers.authorization, form);
    if (!form.token) throw new OAuthError('invalid_request', 'token is required.');
    await revokeToken(ctx, client, form.token);
    // RFC 7009 §2.2: 200 whether or not the token existed; Uber answers 200 too.
    return reply.status(200).headers({ 'cache-control': 'no-store', pragma: 'no-cache' }).send();
  });

  app.post('/oauth/v2/introspect', { schema: { hide: true } }, async (request, reply) => {
    const form = readForm(request);
    const client = await authenticateClient(ctx, request.headers.authorization, form);
    if (!form.token) throw new OAuthError('invalid_request', 'token is required.');
    const result = await introspectToken(ctx, client, form.token);
    void reply.headers({ 'cache-control': 'no-store', pragma: 'no-cache' });
    return result;
  });
}
