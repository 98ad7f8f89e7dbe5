import type { AppContext } from '../../context.js';
import { oncePer } from '../../lib/once.js';
import { randomToken, sha256Hex } from '../../lib/secrets.js';
import { ensureBuiltInClient } from './client.repository.js';
import { SCOPES } from './scopes.js';

/**
 * The console's own OAuth client (docs/console.md): a public client (token_endpoint_auth_method
 * `none`: a browser app cannot keep a secret), so sign-in is authorization_code + PKCE S256 and
 * the refresh token rotates on every use. It holds `organizations.voucher_programs.delegated`
 * only and is bound to no organization: the token reaches exactly the organizations where the
 * signed-in user is an ADMIN. The redirect URI is `{PUBLIC_URL}/console/callback`, exactly.
 *
 * The stored secret hash is of 256 random bits that are discarded: no secret authenticates as this
 * client, and client-auth.ts refuses any secret presented for a public client anyway.
 */
export const CONSOLE_CLIENT_ID = 'voucherd-console';
export const CONSOLE_CLIENT_NAME = 'voucherd console';
export const CONSOLE_PATH = '/console';

export function consoleRedirectUri(ctx: AppContext): string {
  return `${ctx.config.publicUrl}${CONSOLE_PATH}/callback`;
}


async function ensure(ctx: AppContext): Promise<void> {
  const redirectUris = JSON.stringify([consoleRedirectUri(ctx)]);
  // PUBLIC_URL may have changed since the row was made: the redirect URI follows the configuration;
  // scope and auth method are pinned so an edited row cannot widen what the console may obtain.
  await ensureBuiltInClient(
    ctx.database.db,
    {
      client_id: CONSOLE_CLIENT_ID,
      secret_hash: sha256Hex(randomToken(ctx.random, 32)),
      kind: 'THIRD_PARTY',
      organization_id: null,
      name: CONSOLE_CLIENT_NAME,
      scopes: SCOPES.delegated,
      redirect_uris: redirectUris,
      created_at: ctx.clock.now(),
      disabled_at: null,
      token_endpoint_auth_method: 'none',
    },
    { redirect_uris: redirectUris, scopes: SCOPES.delegated, token_endpoint_auth_method: 'none' },
  );
}

/** Makes sure the console client exists with this process's redirect URI (once per context; retried after a failure). */
export const ensureConsoleClient: (ctx: AppContext) => Promise<void> = oncePer(ensure);
