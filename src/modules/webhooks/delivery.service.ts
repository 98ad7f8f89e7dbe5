import type { AppContext } from '../../context.js';
import type { UnitOfWork } from '../../db/unit-of-work.js';
import { AppError } from '../../lib/errors.js';
import { findDeliveryById, findEndpointDelivery, listAttempts, listDeliveries, requeueDelivery, type AttemptRow, type DeliveryRow } from './delivery.repository.js';
import { findEndpoint } from './endpoint.repository.js';
import { entitlementRefusal } from './entitlement.js';

/** A delivery with its attempt log, as the delivery log and the re-send answer show it. */
export type DeliveryView = ReturnType<typeof deliveryToWire>;

function deliveryToWire(row: DeliveryRow, attempts: AttemptRow[]) {
  return {
    delivery_id: row.id,
    webhook_msg_uuid: row.id,
    event_id: row.event_id,
    event_type: row.event_type,
    organization_id: row.organization_id,
    status: row.status,
    attempts: Number(row.attempts),
    next_attempt_at: row.status === 'PENDING' ? Number(row.next_attempt_at) : null,
    last_status_code: row.last_status_code,
    last_error: row.last_error,
    created_at: Number(row.created_at),
    delivered_at: row.delivered_at === null ? null : Number(row.delivered_at),
    attempt_log: attempts.map((a) => ({
      attempt: a.attempt,
      started_at: Number(a.started_at),
      duration_ms: a.duration_ms,
      status_code: a.status_code,
      error: a.error,
    })),
  };
}

async function ownedEndpoint(ctx: AppContext, clientId: string, endpointId: string) {
  const endpoint = await findEndpoint(ctx.database.db, clientId, endpointId);
  if (!endpoint) throw new AppError('not_found', 'webhook_endpoint_not_found');
  return endpoint;
}

/** The delivery log of one of the caller's endpoints, newest first (X). */
export async function listEndpointDeliveries(
  ctx: AppContext,
  clientId: string,
  endpointId: string,
  query: { limit?: number; status?: string; before?: string },
) {
  await ownedEndpoint(ctx, clientId, endpointId);
  const limit = query.limit ?? 50;
  const rows = await listDeliveries(ctx.database.db, endpointId, { limit, ...(query.status ? { status: query.status } : {}), ...(query.before ? { beforeId: query.before } : {}) });
  const attempts = await listAttempts(ctx.database.db, rows.map((r) => r.id));
  const deliveries = rows.map((r) => deliveryToWire(r, attempts.filter((a) => a.delivery_id === r.id)));
  return { deliveries, next_before: rows.length === limit ? rows[rows.length - 1]!.id : null };
}

/**
 * Manual re-send: the same message (same id, same body) becomes due now with a fresh attempt budget,
 * in `work`'s transaction (the answer is the delivery as that transaction leaves it).
 */
export async function resendDelivery(ctx: AppContext, clientId: string, endpointId: string, deliveryId: string, work: UnitOfWork<DeliveryView>): Promise<DeliveryView> {
  const endpoint = await ownedEndpoint(ctx, clientId, endpointId);
  if (endpoint.status !== 'ENABLED') throw new AppError('invalid_request', 'webhook_endpoint_disabled');
  const db = ctx.database.db;
  const exists = await findEndpointDelivery(db, endpointId, deliveryId);
  if (!exists) throw new AppError('not_found', 'webhook_delivery_not_found');
  // The caller owns the endpoint, so the delivery's existence is no secret; whether it may still
  // receive the organization's events is the access rule of org routes (403 once de-authorized).
  if ((await entitlementRefusal(db, clientId, exists.organization_id)) !== null) {
    throw new AppError('forbidden', 'webhook_organization_not_authorized');
  }
  return work.transaction(async (trx) => {
    await requeueDelivery(trx, endpointId, deliveryId, ctx.clock.now());
    const fresh = await findDeliveryById(trx, deliveryId);
    return deliveryToWire(fresh, await listAttempts(trx, [deliveryId]));
  });
}
