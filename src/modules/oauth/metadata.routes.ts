import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { ALL_SCOPES } from './scopes.js';
import { PUBLIC } from '../../http/openapi/security.js';
import { ServerMetadata } from './oauth.schemas.js';
import { errorResponses } from '../../http/schema-types.js';

/**
 * RFC 8414 authorization server metadata. Every URL derives from the configured issuer
 * (OAUTH_ISSUER), never from Host or X-Forwarded-Host, so a forged header changes nothing (A1).
 */
export function serverMetadata(ctx: AppContext): Record<string, unknown> {
  const issuer = ctx.config.issuer;
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth/v2/authorize`,
    token_endpoint: `${issuer}/oauth/v2/token`,
    revocation_endpoint: `${issuer}/oauth/v2/revoke`,
    introspection_endpoint: `${issuer}/oauth/v2/introspect`,
    scopes_supported: ALL_SCOPES,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    authorization_response_iss_parameter_supported: true,
    service_documentation: `${issuer}/docs`,
  };
}

export async function metadataRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const body = JSON.stringify(serverMetadata(opts.ctx));
  const metadataSchema = {
    summary: 'Authorization server metadata',
    description: 'RFC 8414. Every URL derives from OAUTH_ISSUER.',
    operationId: 'getAuthorizationServerMetadata',
    tags: ['oauth'],
    security: PUBLIC,
    response: { 200: { ...ServerMetadata, description: 'The metadata (cacheable for an hour)' }, ...errorResponses(400) },
  };
  app.get('/.well-known/oauth-authorization-server', { schema: metadataSchema }, async (_request, reply) => {
    return reply.headers({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=3600' }).send(body);
  });
}
