import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { hasAuthorization } from '../access/authorization.repository.js';
import { findClient } from '../oauth/client.repository.js';

/** Why a client may not (any longer) receive an organization's events; null when it may. */
export type EntitlementRefusal = 'client disabled' | 'client no longer authorized for the organization';

/**
 * The fan-out rule (docs/webhooks.md, Entitlement) checked again for one delivery: the client is
 * enabled, and it is the organization's own first-party client or an aggregator the organization
 * has authorized (authorization not revoked). Read on every re-send and every attempt, so a revoked
 * authorization or a disabled client stops deliveries already queued.
 */
export async function entitlementRefusal(db: Kysely<DB>, clientId: string, organizationId: string): Promise<EntitlementRefusal | null> {
  const client = await findClient(db, clientId);
  if (!client || client.disabled_at !== null) return 'client disabled';
  if (client.kind === 'FIRST_PARTY') return client.organization_id === organizationId ? null : 'client no longer authorized for the organization';
  return (await hasAuthorization(db, organizationId, clientId, 'active')) ? null : 'client no longer authorized for the organization';
}
