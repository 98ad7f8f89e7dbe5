import type { AppContext } from '../../context.js';
import { OrgServiceError } from '../orgs/org.service.js';
import { findClientDisabledAt, setClientDisabledAt } from './client.repository.js';
import { revokeClientTokens } from './token.repository.js';

export interface DisabledClient {
  client_id: string;
  disabled_at: number;
  /** Access tokens revoked by this call (its refresh tokens are revoked too). */
  revoked_tokens: number;
}

/**
 * Disables a client: it can no longer authenticate or sign anyone in, and every token it holds is
 * revoked in the same transaction — stored as revoked, so introspection, audits and a client
 * enabled again later never see them live. Disabling twice keeps the first time and revokes
 * anything minted in between (nothing can be).
 */
export async function disableClient(ctx: AppContext, clientId: string): Promise<DisabledClient> {
  const now = ctx.clock.now();
  return ctx.database.db.transaction().execute(async (trx) => {
    const client = await findClientDisabledAt(trx, clientId);
    if (!client) throw new OrgServiceError(`No client ${clientId}.`);
    const disabledAt = client.disabled_at === null ? now : Number(client.disabled_at);
    if (client.disabled_at === null) await setClientDisabledAt(trx, clientId, now);
    const revoked = await revokeClientTokens(trx, clientId, now);
    return { client_id: clientId, disabled_at: disabledAt, revoked_tokens: revoked };
  });
}
