import type { AppContext } from '../../../context.js';
import type { AuthorizeErrorCode } from '../../../http/error-response.js';
import { findClient, type ClientRow } from '../client.repository.js';
import { isValidChallenge } from '../pkce.js';
import { isRegisteredRedirectUri } from '../redirect-uri.js';
import { SCOPE_GRANT, isScope, parseScope } from '../scopes.js';

/** The parameters of an authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3), carried through the pages. */
export const REQUEST_PARAMS = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method', 'prompt'] as const;
export type RequestParams = Partial<Record<(typeof REQUEST_PARAMS)[number], string>>;

export interface AuthorizationRequest {
  client: ClientRow;
  redirectUri: string;
  scopes: string[];
  state: string | undefined;
  codeChallenge: string;
  params: RequestParams;
}

export type Validated =
  /** Client or redirect URI cannot be trusted: show an error page, never redirect (RFC 6749 §4.1.2.1). */
  | { kind: 'fatal'; detail: string }
  /** Report the error to the client through its (verified) redirect URI. */
  | { kind: 'redirect'; redirectUri: string; state: string | undefined; error: AuthorizeErrorCode; detail: string }
  | { kind: 'ok'; request: AuthorizationRequest };

/** Picks the request parameters; a repeated parameter is reported (RFC 6749 §3.1). */
export function pickParams(source: Record<string, unknown>): { params: RequestParams; repeated: string[] } {
  const params: RequestParams = {};
  const repeated: string[] = [];
  for (const name of REQUEST_PARAMS) {
    const value = source[name];
    if (Array.isArray(value)) repeated.push(name);
    else if (typeof value === 'string' && value !== '') params[name] = value;
  }
  return { params, repeated };
}

export async function validateAuthorizationRequest(ctx: AppContext, source: Record<string, unknown>): Promise<Validated> {
  const { params, repeated } = pickParams(source);
  if (repeated.includes('client_id') || repeated.includes('redirect_uri')) return { kind: 'fatal', detail: 'repeated client_id or redirect_uri' };
  const clientId = params.client_id;
  const client = clientId && clientId.length <= 256 ? await findClient(ctx.database.db, clientId) : undefined;
  if (!client || client.disabled_at !== null) return { kind: 'fatal', detail: 'unknown client' };
  // redirect_uri is required even with one registered URI (RFC 9700 §2.1 exact matching; decision in docs/oauth.md).
  const redirectUri = params.redirect_uri;
  if (!redirectUri || !isRegisteredRedirectUri(client, redirectUri)) return { kind: 'fatal', detail: 'redirect_uri not registered' };
  const state = params.state;
  // The detail is logged; the client gets the code's public description (src/http/error-response.ts).
  const fail = (error: AuthorizeErrorCode, detail: string): Validated => ({ kind: 'redirect', redirectUri, state, error, detail });
  if (repeated.length > 0) return fail('invalid_request', `Parameter ${repeated[0]} was sent more than once.`);
  if (params.response_type !== 'code') return fail('unsupported_response_type', 'Only response_type=code is supported.');
  if (!params.code_challenge) return fail('invalid_request', 'PKCE is required: send code_challenge with code_challenge_method=S256.');
  if (params.code_challenge_method !== 'S256') return fail('invalid_request', 'Only code_challenge_method=S256 is supported.');
  if (!isValidChallenge(params.code_challenge)) return fail('invalid_request', 'code_challenge is not a valid S256 challenge.');
  const allowed = parseScope(client.scopes).filter((s) => isScope(s) && SCOPE_GRANT[s] === 'authorization_code');
  if (allowed.length === 0) return fail('unauthorized_client', 'This client may not use the authorization code grant.');
  if (!params.scope) return fail('invalid_scope', 'scope is required.');
  const scopes = parseScope(params.scope);
  for (const scope of scopes) {
    if (!isScope(scope) || SCOPE_GRANT[scope] !== 'authorization_code' || !allowed.includes(scope)) {
      return fail('invalid_scope', `The scope ${scope} cannot be granted to this client with the authorization code grant.`);
    }
  }
  // OpenID Connect Core §3.1.2.1 `prompt`: only `none` (answer without showing a page) is understood.
  if (params.prompt !== undefined && params.prompt !== 'none') return fail('invalid_request', 'Only prompt=none is supported.');
  return { kind: 'ok', request: { client, redirectUri, scopes, state, codeChallenge: params.code_challenge, params } };
}
