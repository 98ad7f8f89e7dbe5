import { Type } from '@sinclair/typebox';
import { ALL_SCOPES } from './scopes.js';

/**
 * Documentation of the authorization server's wire (RFC 6749, 7009, 7662, 8414). The endpoints
 * read their forms themselves (token/form.ts: one value per parameter, as text, empty = omitted),
 * so the request bodies here document and never validate; the answers are serialized with these.
 */
export const OAUTH_FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];

const clientAuthFields = {
  client_id: Type.Optional(Type.String({ description: 'client_secret_post; or HTTP Basic instead' })),
  client_secret: Type.Optional(Type.String({ description: 'client_secret_post; or HTTP Basic instead' })),
};

export const TokenForm = Type.Object(
  {
    grant_type: Type.Union([Type.Literal('client_credentials'), Type.Literal('authorization_code'), Type.Literal('refresh_token')]),
    scope: Type.Optional(Type.String({ description: `space-separated, of: ${ALL_SCOPES.join(', ')}; each scope with its own grant type` })),
    code: Type.Optional(Type.String({ description: 'authorization_code: the code from the redirect' })),
    redirect_uri: Type.Optional(Type.String({ description: 'authorization_code: the redirect_uri of the authorization request' })),
    code_verifier: Type.Optional(Type.String({ minLength: 43, maxLength: 128, description: 'authorization_code: the PKCE verifier (RFC 7636)' })),
    refresh_token: Type.Optional(Type.String({ description: 'refresh_token: the refresh token (rotated on use)' })),
    ...clientAuthFields,
  },
  { required: ['grant_type'] },
);

export const TokenAnswer = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'seconds' }),
  scope: Type.String(),
  refresh_token: Type.Optional(Type.String({ description: 'authorization_code and refresh_token grants' })),
});

export const OAUTH_ERROR_CODES = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'server_error',
  'temporarily_unavailable',
  'unsupported_token_type',
  'rate_limited',
] as const;

/** RFC 6749 §5.2 error body. */
export const OAuthErrorBody = Type.Object({
  error: Type.Union(OAUTH_ERROR_CODES.map((c) => Type.Literal(c))),
  error_description: Type.String(),
});

export const oauthErrors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, OAuthErrorBody]));

export const TokenParameterForm = Type.Object(
  {
    token: Type.String({ description: 'an access or refresh token of the calling client' }),
    token_type_hint: Type.Optional(Type.Union([Type.Literal('access_token'), Type.Literal('refresh_token')])),
    ...clientAuthFields,
  },
  { required: ['token'] },
);

export const Introspection = Type.Object({
  active: Type.Boolean(),
  scope: Type.Optional(Type.String()),
  client_id: Type.Optional(Type.String()),
  token_type: Type.Optional(Type.String({ description: 'Bearer or refresh_token' })),
  exp: Type.Optional(Type.Integer({ description: 'epoch seconds' })),
  iat: Type.Optional(Type.Integer({ description: 'epoch seconds' })),
  iss: Type.Optional(Type.String()),
  sub: Type.Optional(Type.String({ description: 'the user, for user grants' })),
  grant_type: Type.Optional(Type.String()),
});

export const ServerMetadata = Type.Object({
  issuer: Type.String(),
  authorization_endpoint: Type.String(),
  token_endpoint: Type.String(),
  revocation_endpoint: Type.String(),
  introspection_endpoint: Type.String(),
  scopes_supported: Type.Array(Type.String()),
  response_types_supported: Type.Array(Type.String()),
  response_modes_supported: Type.Array(Type.String()),
  grant_types_supported: Type.Array(Type.String()),
  code_challenge_methods_supported: Type.Array(Type.String()),
  token_endpoint_auth_methods_supported: Type.Array(Type.String()),
  revocation_endpoint_auth_methods_supported: Type.Array(Type.String()),
  introspection_endpoint_auth_methods_supported: Type.Array(Type.String()),
  authorization_response_iss_parameter_supported: Type.Boolean(),
  service_documentation: Type.String(),
});

/** The authorization request (RFC 6749 §4.1.1 with PKCE), as query parameters. */
export const AuthorizeQuery = Type.Object({
  response_type: Type.Literal('code'),
  client_id: Type.String(),
  redirect_uri: Type.String(),
  scope: Type.String({ description: 'organizations.voucher_programs.delegated or vouchers.redeem' }),
  state: Type.Optional(Type.String()),
  code_challenge: Type.String({ description: 'BASE64URL(SHA-256(code_verifier)), RFC 7636' }),
  code_challenge_method: Type.Literal('S256'),
  prompt: Type.Optional(
    Type.Literal('none', {
      description:
        'OpenID Connect `prompt=none` (voucherd extension): answer at once without a page — a code when the browser has a sign-in session and the client needs no consent page (the console only), else `login_required` or `consent_required` at redirect_uri',
    }),
  ),
});

export const HtmlPage = { content: { 'text/html': { schema: Type.String() } } };
