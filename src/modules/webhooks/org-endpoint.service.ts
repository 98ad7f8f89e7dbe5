import type { AppContext } from '../../context.js';
import type { UnitOfWork } from '../../db/unit-of-work.js';
import { AppError } from '../../lib/errors.js';
import { listOrgFirstPartyClients } from '../oauth/client.repository.js';
import { SCOPES, parseScope } from '../oauth/scopes.js';
import type { Principal } from '../oauth/token.service.js';
import { listEndpointDeliveries, resendDelivery, type DeliveryView } from './delivery.service.js';
import { findOrgEndpoint, listOrgEndpoints } from './endpoint.repository.js';
import { createEndpoint, deleteEndpoint, rotateSigningKey, type CreatedEndpoint } from './endpoint.service.js';
import { endpointToWire, type EndpointWire } from './endpoint.view.js';

/**
 * The organization's view of the webhook registry (docs/webhooks.md, Organization endpoints): the
 * endpoints of its first-party clients. Each call resolves the owning client inside the
 * organization, then runs the client-scoped service, so both paths share one set of rules.
 */
export type OrgEndpointWire = EndpointWire & { client_id: string };

function orgWire(row: Parameters<typeof endpointToWire>[0]): OrgEndpointWire {
  return { ...endpointToWire(row), client_id: row.client_id };
}

/** The client owning the endpoint, when it is one of the organization's; 404 otherwise (no leak). */
async function ownerOf(ctx: AppContext, organizationId: string, endpointId: string): Promise<string> {
  const row = await findOrgEndpoint(ctx.database.db, organizationId, endpointId);
  if (!row) throw new AppError('not_found', 'webhook_endpoint_not_found');
  return row.client_id;
}

/**
 * Who owns a new endpoint: `client_id` when given (one of the organization's enabled first-party
 * clients); else the calling first-party client; else the organization's oldest enabled
 * first-party client holding `organizations.voucher_programs` with no redirect URI (its backend
 * API integration), else the oldest holding that scope.
 */
async function chooseOwner(ctx: AppContext, organizationId: string, principal: Principal, requested: string | undefined): Promise<string> {
  const clients = await listOrgFirstPartyClients(ctx.database.db, organizationId);
  if (requested !== undefined) {
    if (!clients.some((c) => c.client_id === requested)) {
      throw new AppError('invalid_request', 'webhook_owner_invalid', { metadata: { field: 'client_id' } });
    }
    return requested;
  }
  if (principal.grantType === 'client_credentials' && clients.some((c) => c.client_id === principal.clientId)) return principal.clientId;
  // A backend integration (no redirect URI: client_credentials only) first, then any holder of the scope.
  const holders = clients.filter((c) => parseScope(c.scopes).includes(SCOPES.voucherPrograms));
  const integration = holders.find((c) => (JSON.parse(c.redirect_uris) as string[]).length === 0) ?? holders[0];
  if (!integration) throw new AppError('invalid_request', 'webhook_owner_required', { metadata: { field: 'client_id' } });
  return integration.client_id;
}

export async function listOrganizationEndpoints(ctx: AppContext, organizationId: string): Promise<OrgEndpointWire[]> {
  return (await listOrgEndpoints(ctx.database.db, organizationId)).map(orgWire);
}

export async function createOrganizationEndpoint(
  ctx: AppContext,
  organizationId: string,
  principal: Principal,
  body: { url: string; client_id?: string; event_types?: string[]; description?: string },
  work: UnitOfWork<CreatedEndpoint & { client_id: string }>,
): Promise<CreatedEndpoint & { client_id: string }> {
  const clientId = await chooseOwner(ctx, organizationId, principal, body.client_id);
  const withOwner = (created: CreatedEndpoint) => ({ ...created, client_id: clientId });
  const created = await createEndpoint(
    ctx,
    {
      clientId,
      url: body.url,
      ...(body.event_types ? { eventTypes: body.event_types } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
    },
    work.map(withOwner),
  );
  return withOwner(created);
}

export async function rotateOrganizationEndpointKey(
  ctx: AppContext,
  organizationId: string,
  endpointId: string,
  overlapSeconds: number | undefined,
  work: UnitOfWork<CreatedEndpoint & { client_id: string }>,
): Promise<CreatedEndpoint & { client_id: string }> {
  const clientId = await ownerOf(ctx, organizationId, endpointId);
  const withOwner = (rotated: CreatedEndpoint) => ({ ...rotated, client_id: clientId });
  return withOwner(await rotateSigningKey(ctx, clientId, endpointId, overlapSeconds, work.map(withOwner)));
}

export async function deleteOrganizationEndpoint(ctx: AppContext, organizationId: string, endpointId: string): Promise<void> {
  await deleteEndpoint(ctx, await ownerOf(ctx, organizationId, endpointId), endpointId);
}

export async function listOrganizationDeliveries(
  ctx: AppContext,
  organizationId: string,
  endpointId: string,
  query: { limit?: number; status?: string; before?: string },
) {
  return listEndpointDeliveries(ctx, await ownerOf(ctx, organizationId, endpointId), endpointId, query);
}

export async function resendOrganizationDelivery(
  ctx: AppContext,
  organizationId: string,
  endpointId: string,
  deliveryId: string,
  work: UnitOfWork<DeliveryView>,
): Promise<DeliveryView> {
  return resendDelivery(ctx, await ownerOf(ctx, organizationId, endpointId), endpointId, deliveryId, work);
}
