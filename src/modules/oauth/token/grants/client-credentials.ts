import type { AppContext } from '../../../../context.js';
import type { ClientRow } from '../../client.repository.js';
import { OAuthError } from '../../oauth-error.js';
import { SCOPE_GRANT, isScope, parseScope } from '../../scopes.js';
import { issueAccessToken, type IssuedToken } from '../../token.service.js';

/**
 * RFC 6749 §4.4. The requested scopes must each be known, allowed for the client and belong to the
 * client_credentials grant (docs/oauth.md); without `scope`, every such allowed scope is granted.
 * No refresh token (§4.4.3).
 */
export async function clientCredentialsGrant(ctx: AppContext, client: ClientRow, body: Record<string, string>): Promise<IssuedToken> {
  const allowed = parseScope(client.scopes).filter((s) => isScope(s) && SCOPE_GRANT[s] === 'client_credentials');
  let scopes: string[];
  if (body.scope === undefined) {
    scopes = allowed;
  } else {
    scopes = parseScope(body.scope);
    for (const scope of scopes) {
      if (!isScope(scope)) throw new OAuthError('invalid_scope', `Unknown scope: ${scope}`);
      if (SCOPE_GRANT[scope] !== 'client_credentials') {
        throw new OAuthError('invalid_scope', `The scope ${scope} cannot be granted with client_credentials.`);
      }
      if (!allowed.includes(scope)) throw new OAuthError('invalid_scope', `The client is not allowed the scope ${scope}.`);
    }
  }
  if (scopes.length === 0) throw new OAuthError('invalid_scope', 'No scope can be granted to this client with client_credentials.');
  return issueAccessToken(ctx, { clientId: client.client_id, grantType: 'client_credentials', scopes });
}
