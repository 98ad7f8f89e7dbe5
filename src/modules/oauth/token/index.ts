import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import type { ClientRow } from '../client.repository.js';
import { authenticateClient, isPublicClient } from '../client-auth.js';
import { OAuthError } from '../oauth-error.js';
import type { IssuedToken } from '../token.service.js';
import { oauthErrorHandler, readForm } from './form.js';
import { authorizationCodeGrant } from './grants/authorization-code.js';
import { clientCredentialsGrant } from './grants/client-credentials.js';
import { refreshTokenGrant } from './grants/refresh-token.js';
import { chargeClientCredentialsMint } from './mint-limits.js';
import { CLIENT_AUTH_SECURITY } from '../../../http/openapi/security.js';
import { OAUTH_FORM_TYPES, TokenAnswer, TokenForm, oauthErrors } from '../oauth.schemas.js';
import { NO_STORE_NO_CACHE } from '../../../http/cache-headers.js';

const tokenSchema = {
  summary: 'Token endpoint',
  description:
    'Issues an access token (RFC 6749 §3.2): client_credentials, authorization_code with the PKCE verifier, or refresh_token (rotated on use). The client authenticates with HTTP Basic or client_id + client_secret in the form; a public client (token_endpoint_auth_method none) sends client_id only and may use authorization_code and refresh_token, never client_credentials. Errors are RFC 6749 §5.2 bodies; 429 carries Retry-After.',
  operationId: 'issueToken',
  tags: ['oauth'],
  security: CLIENT_AUTH_SECURITY,
  documentation: { body: TokenForm, consumes: OAUTH_FORM_TYPES },
  response: { 200: { ...TokenAnswer, description: 'The token (Cache-Control: no-store)' }, ...oauthErrors(400, 401, 413, 429, 500, 503) },
};

type Grant = (ctx: AppContext, client: ClientRow, body: Record<string, string>) => Promise<IssuedToken>;

/** Grant handlers by grant_type (docs/oauth.md): nothing else — no password, no implicit. */
const GRANTS: Record<string, Grant> = {
  client_credentials: clientCredentialsGrant,
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
};

const PUBLIC_CLIENT_GRANTS = new Set(['authorization_code', 'refresh_token']);

/**
 * POST /oauth/v2/token: form checks → grant type → client authentication → rate limit → grant.
 * client_credentials is limited per client here; the user grants limit per user once the code or
 * refresh token names the user (mint-limits.ts).
 */
export async function tokenRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  app.setErrorHandler(oauthErrorHandler);

  app.post('/oauth/v2/token', { schema: tokenSchema }, async (request, reply) => {
    const form = readForm(request);
    const grantType = form.grant_type;
    if (!grantType) throw new OAuthError('invalid_request', 'grant_type is required.');
    const grant = Object.hasOwn(GRANTS, grantType) ? GRANTS[grantType] : undefined;
    if (!grant) throw new OAuthError('unsupported_grant_type', `The grant type ${grantType} is not supported.`);
    const client = await authenticateClient(ctx, request.headers.authorization, form);
    // A public client is not authenticated: only the grants bound by PKCE (a code, then its
    // rotating refresh token) are open to it, never client_credentials (RFC 9700 §2.1, §4.14).
    if (isPublicClient(client) && !PUBLIC_CLIENT_GRANTS.has(grantType)) {
      throw new OAuthError('unauthorized_client', `A public client may not use the grant type ${grantType}.`);
    }
    if (grantType === 'client_credentials') await chargeClientCredentialsMint(ctx, client.client_id);
    const token = await grant(ctx, client, form);
    void reply.headers({ ...NO_STORE_NO_CACHE });
    return token;
  });
}
