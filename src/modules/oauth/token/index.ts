import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../context.js';
import type { ClientRow } from '../client.repository.js';
import { authenticateClient } from '../client-auth.js';
import { OAuthError } from '../oauth-error.js';
import type { IssuedToken } from '../token.service.js';
import { clientCredentialsGrant } from './grants/client-credentials.js';

type Grant = (ctx: AppContext, client: ClientRow, body: Record<string, string>) => Promise<IssuedToken>;

/** Grant handlers by grant_type; later grants plug in here (api.md §2.1). */
const GRANTS: Record<string, Grant> = {
  client_credentials: clientCredentialsGrant,
};

/** Checks every token request goes through before its grant handler (RFC 6749 §3.2, §5.2). */
function readForm(request: FastifyRequest): Record<string, string> {
  const type = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new OAuthError('invalid_request', 'The token endpoint takes an application/x-www-form-urlencoded body.');
  }
  const body = (request.body ?? {}) as Record<string, unknown>;
  const form: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    // RFC 6749 §3.2: parameters must not be included more than once.
    if (typeof value !== 'string') throw new OAuthError('invalid_request', `Parameter ${key} was sent more than once.`);
    // Empty parameters are treated as omitted (RFC 6749 §3.1).
    if (value !== '') form[key] = value;
  }
  return form;
}

export async function tokenRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;

  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const e = err as { statusCode?: number; code?: string };
    let oauth: OAuthError;
    if (err instanceof OAuthError) oauth = err;
    else if (e.statusCode === 413) oauth = new OAuthError('invalid_request', 'The request body is too large.');
    else if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) {
      oauth = new OAuthError('invalid_request', 'The request could not be parsed.');
    } else {
      request.log.error({ err }, 'token endpoint failure');
      oauth = new OAuthError('server_error', 'The authorization server encountered an unexpected condition.');
    }
    void reply
      .status(oauth.status)
      .headers({ 'cache-control': 'no-store', pragma: 'no-cache', ...oauth.headers })
      .send({ error: oauth.error, error_description: oauth.description });
  });

  app.post(
    '/oauth/v2/token',
    { schema: { hide: true } },
    async (request, reply) => {
      const form = readForm(request);
      const grantType = form.grant_type;
      if (!grantType) throw new OAuthError('invalid_request', 'grant_type is required.');
      const grant = Object.hasOwn(GRANTS, grantType) ? GRANTS[grantType] : undefined;
      if (!grant) throw new OAuthError('unsupported_grant_type', `The grant type ${grantType} is not supported.`);
      const client = await authenticateClient(ctx, request.headers.authorization, form);
      const token = await grant(ctx, client, form);
      void reply.headers({ 'cache-control': 'no-store', pragma: 'no-cache' });
      return token;
    },
  );
}
