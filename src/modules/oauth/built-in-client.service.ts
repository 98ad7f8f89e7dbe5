import type { AppContext } from '../../context.js';
import { oncePer } from '../../lib/once.js';
import { randomToken, sha256Hex } from '../../lib/secrets.js';
import { ensureBuiltInClient } from './client.repository.js';

/** One of voucherd's own OAuth clients (the console, the redemption page), bound to no organization. */
export interface BuiltInClientSpec {
  clientId: string;
  name: string;
  scopes: string;
  /** Its one redirect URI, under this process's PUBLIC_URL. */
  redirectUri: (ctx: AppContext) => string;
  authMethod: 'none' | 'client_secret_basic';
  /** Whether the stored auth method is reset to `authMethod` like the redirect URI and scopes. */
  pinAuthMethod: boolean;
}

/**
 * Makes the client's row exist. Its secret hash is of 256 random bits that are discarded, so no
 * secret authenticates as it. PUBLIC_URL may have changed since the row was made: the redirect URI
 * follows the configuration, and the scopes (and, where asked, the auth method) are pinned so an
 * edited row cannot widen what the client may obtain.
 */
async function ensureBuiltInClientFor(ctx: AppContext, spec: BuiltInClientSpec): Promise<void> {
  const redirectUris = JSON.stringify([spec.redirectUri(ctx)]);
  await ensureBuiltInClient(
    ctx.database.db,
    {
      client_id: spec.clientId,
      secret_hash: sha256Hex(randomToken(ctx.random, 32)),
      kind: 'THIRD_PARTY',
      organization_id: null,
      name: spec.name,
      scopes: spec.scopes,
      redirect_uris: redirectUris,
      created_at: ctx.clock.now(),
      disabled_at: null,
      token_endpoint_auth_method: spec.authMethod,
    },
    { redirect_uris: redirectUris, scopes: spec.scopes, ...(spec.pinAuthMethod ? { token_endpoint_auth_method: spec.authMethod } : {}) },
  );
}

/** The client's ensure step: run once per app context (concurrent callers share it), retried after a failure. */
export function builtInClient(spec: BuiltInClientSpec): (ctx: AppContext) => Promise<void> {
  return oncePer((ctx: AppContext) => ensureBuiltInClientFor(ctx, spec));
}
