import type { AppContext } from '../../context.js';
import { sha256Hex } from '../../lib/secrets.js';
import { findClient, type ClientRow } from './client.repository.js';
import { constantTimeEqual } from '../../lib/constant-time.js';
import { OAuthError, invalidClient } from './oauth-error.js';

// A hash no secret produces, compared against for unknown clients so both paths take the same time (A3).
const DUMMY_HASH = sha256Hex('voucherd:no-such-client');

function formDecode(value: string): string {
  // RFC 6749 §2.3.1: client_id and secret are form-urlencoded before Basic encoding.
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

interface PresentedCredentials {
  clientId: string;
  clientSecret: string;
  method: 'client_secret_basic' | 'client_secret_post';
}

function fromBasic(header: string): PresentedCredentials {
  const match = /^Basic ([A-Za-z0-9+/=._~-]+)$/i.exec(header.trim());
  if (!match) throw invalidClient('Malformed Basic credentials.');
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw invalidClient('Malformed Basic credentials.');
  try {
    return {
      clientId: formDecode(decoded.slice(0, colon)),
      clientSecret: formDecode(decoded.slice(colon + 1)),
      method: 'client_secret_basic',
    };
  } catch {
    throw invalidClient('Malformed Basic credentials.');
  }
}

/**
 * Authenticates the client by `client_secret_basic` or `client_secret_post` (RFC 6749 §2.3.1);
 * using both at once is invalid_request (§2.3: one method per request). A public client
 * (token_endpoint_auth_method `none`, docs/oauth.md Public clients) presents only `client_id` in the
 * form: that identifies it without authenticating it, so the grants it may use rely on PKCE
 * (token/index.ts). A confidential client without its secret, or a public client with a secret or
 * Basic credentials, is invalid_client.
 */
export async function authenticateClient(
  ctx: AppContext,
  authorization: string | undefined,
  body: Record<string, string>,
): Promise<ClientRow> {
  const hasBodySecret = body.client_secret !== undefined;
  let presented: PresentedCredentials;
  if (authorization !== undefined) {
    if (hasBodySecret) throw new OAuthError('invalid_request', 'Use one client authentication method, not two.');
    presented = fromBasic(authorization);
    if (body.client_id !== undefined && body.client_id !== presented.clientId) {
      throw new OAuthError('invalid_request', 'client_id in the body does not match the authenticated client.');
    }
  } else if (body.client_id !== undefined && hasBodySecret) {
    presented = { clientId: body.client_id, clientSecret: body.client_secret!, method: 'client_secret_post' };
  } else if (body.client_id !== undefined) {
    return identifyPublicClient(ctx, body.client_id);
  } else {
    throw invalidClient('Client authentication is required.');
  }
  const client = presented.clientId.length <= 256 ? await findClient(ctx.database.db, presented.clientId) : undefined;
  const expected = Buffer.from(client?.secret_hash ?? DUMMY_HASH, 'hex');
  const actual = Buffer.from(sha256Hex(presented.clientSecret), 'hex');
  const secretOk = constantTimeEqual(expected, actual);
  // A public client has no secret to present (its stored hash is of a discarded random value).
  if (!client || !secretOk || client.disabled_at !== null || client.token_endpoint_auth_method === 'none') throw invalidClient();
  return client;
}

/** A client_id alone: accepted only for a live public client. */
async function identifyPublicClient(ctx: AppContext, clientId: string): Promise<ClientRow> {
  const client = clientId.length <= 256 ? await findClient(ctx.database.db, clientId) : undefined;
  if (!client || client.disabled_at !== null) throw invalidClient();
  if (client.token_endpoint_auth_method !== 'none') throw invalidClient('Client authentication is required.');
  return client;
}

/** Whether the client is public (no secret; PKCE-only grants). */
export function isPublicClient(client: ClientRow): boolean {
  return client.token_endpoint_auth_method === 'none';
}

/** The caller of revocation and introspection, as those endpoints need it: who it is, and whether it is a public client. */
export interface AuthenticatedClient {
  clientId: string;
  isPublic: boolean;
}

export async function authenticateCaller(ctx: AppContext, authorization: string | undefined, body: Record<string, string>): Promise<AuthenticatedClient> {
  const client = await authenticateClient(ctx, authorization, body);
  return { clientId: client.client_id, isPublic: isPublicClient(client) };
}
