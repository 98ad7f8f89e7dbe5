import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

/** Why a client may not (any longer) receive an organization's events; null when it may. */
export type EntitlementRefusal = 'client disabled' | 'client no longer authorized for the organization';

/**
 * The fan-out rule (docs/webhooks.md, Entitlement) checked again for one delivery: the client is
 * enabled, and it is the organization's own first-party client or an aggregator the organization
 * has authorized (authorization not revoked). Read on every re-send and every attempt, so a revoked
 * authorization or a disabled client stops deliveries already queued.
 */
export async function entitlementRefusal(db: Kysely<DB>, clientId: string, organizationId: string): Promise<EntitlementRefusal | null> {
  const client = await db.selectFrom('oauth_clients').select(['kind', 'organization_id', 'disabled_at']).where('client_id', '=', clientId).executeTakeFirst();
  if (!client || client.disabled_at !== null) return 'client disabled';
  if (client.kind === 'FIRST_PARTY') return client.organization_id === organizationId ? null : 'client no longer authorized for the organization';
  const live = await db
    .selectFrom('organization_authorizations')
    .select('id')
    .where('client_id', '=', clientId)
    .where('organization_id', '=', organizationId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return live ? null : 'client no longer authorized for the organization';
}
