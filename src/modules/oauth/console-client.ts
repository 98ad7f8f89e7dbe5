import type { AppContext } from '../../context.js';
import { builtInClient } from './built-in-client.service.js';
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

/** Makes sure the console client exists with this process's redirect URI (once per context; retried after a failure). */
export const ensureConsoleClient: (ctx: AppContext) => Promise<void> = builtInClient({
  clientId: CONSOLE_CLIENT_ID,
  name: CONSOLE_CLIENT_NAME,
  scopes: SCOPES.delegated,
  redirectUri: consoleRedirectUri,
  authMethod: 'none',
  pinAuthMethod: true,
});
