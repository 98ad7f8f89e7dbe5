import type { AppContext } from '../../context.js';
import { builtInClient } from '../oauth/built-in-client.service.js';
import type { ClientRow } from '../oauth/client.repository.js';
import { findClient } from '../oauth/client.service.js';
import { SCOPES } from '../oauth/scopes.js';

/**
 * voucherd's own "web redemption" OAuth client: the redemption link page signs
 * riders in through the authorization_code flow like any other client, with PKCE S256 and an
 * exact redirect URI `{PUBLIC_URL}/redeem/callback`, holding `vouchers.redeem` only.
 *
 * It is a confidential client whose only holder is the server process itself. Its secret is 256
 * random bits, stored as its SHA-256 like every client secret, and then forgotten: nobody (not
 * even voucherd) can authenticate as this client at the HTTP token endpoint. The page exchanges
 * its codes in-process through the same grant code (authorizationCodeGrant: PKCE, redirect URI,
 * single use, expiry), authenticated by being the server that owns the database. No public
 * client is introduced and client authentication is not weakened (decision in docs/redemption.md).
 *
 * THIRD_PARTY kind (bound to no organization), so it may claim codes of every organization.
 */
export const REDEEM_CLIENT_ID = 'voucherd-web-redemption';
export const REDEEM_CLIENT_NAME = 'Voucher redemption page';
export const REDEEM_CALLBACK_PATH = '/redeem/callback';

export function redeemRedirectUri(ctx: AppContext): string {
  return `${ctx.config.publicUrl}${REDEEM_CALLBACK_PATH}`;
}

/** Makes sure the client exists with this process's redirect URI (once per context; retried after a failure). */
export const ensureRedeemClient: (ctx: AppContext) => Promise<void> = builtInClient({
  clientId: REDEEM_CLIENT_ID,
  name: REDEEM_CLIENT_NAME,
  scopes: SCOPES.redeem,
  redirectUri: redeemRedirectUri,
  authMethod: 'client_secret_basic',
  pinAuthMethod: false,
});

/** The client row as it is now (an operator may have disabled it: then sign-in is refused). */
export async function loadRedeemClient(ctx: AppContext): Promise<ClientRow | undefined> {
  await ensureRedeemClient(ctx);
  const client = await findClient(ctx, REDEEM_CLIENT_ID);
  return client && client.disabled_at === null ? client : undefined;
}
