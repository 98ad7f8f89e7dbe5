import type { AppContext } from '../../context.js';
import { insertDeliveries } from './delivery.repository.js';
import { entitledEndpoints, type EndpointRow } from './endpoint.repository.js';
import { claimUndispatchedEvents, hasUndispatchedEvent, markEventsDispatched, type EventRow } from './outbox.repository.js';
import { countersToWire } from './wire-counters.js';

function wants(endpoint: EndpointRow, eventType: string): boolean {
  return endpoint.event_types === null || (JSON.parse(endpoint.event_types) as string[]).includes(eventType);
}

/**
 * Uber's webhook body (docs/webhooks.md): the event's counters, the envelope fields and
 * `webhook_meta`, whose `webhook_config_id` names the event type as in Uber's payload; the
 * endpoint the delivery went to is `webhook_meta.webhook_endpoint_id` (X). Built once per
 * delivery and stored, so every attempt sends (and signs) the same bytes.
 */
export function webhookBody(ctx: AppContext, event: EventRow, endpoint: EndpointRow, messageId: string): string {
  const data = JSON.parse(event.payload) as Record<string, unknown>;
  const programPath = event.voucher_program_id
    ? `/v1/organizations/${event.organization_id}/voucher-programs/${event.voucher_program_id}`
    : `/v1/organizations/${event.organization_id}`;
  return JSON.stringify({
    ...countersToWire(data),
    organization_id: event.organization_id,
    event_type: event.event_type,
    campaign_organization_id: event.organization_id,
    voucher_program_id: event.voucher_program_id,
    resource_href: `${ctx.config.publicUrl}${programPath}`,
    webhook_meta: {
      client_id: endpoint.client_id,
      webhook_config_id: event.event_type,
      webhook_endpoint_id: endpoint.id,
      webhook_msg_timestamp: Math.floor(Number(event.created_at) / 1000),
      webhook_msg_uuid: messageId,
    },
  });
}

/**
 * Turns undispatched outbox rows into one delivery per entitled endpoint, and marks the rows
 * dispatched in the same transaction. Safe in several processes at once: PostgreSQL skips rows
 * another transaction holds; SQLite serializes writers; the (event, endpoint) unique key makes a
 * repeated fan-out a no-op. Returns the number of events handled.
 */
export async function fanOutEvents(ctx: AppContext, batchSize = 100): Promise<number> {
  const now = ctx.clock.now();
  // Cheap read first: an idle poll takes no write lock (SQLite has one writer at a time).
  if (!(await hasUndispatchedEvent(ctx.database.db))) return 0;
  return ctx.database.db.transaction().execute(async (trx) => {
    const events = await claimUndispatchedEvents(trx, ctx.database.dialect, batchSize);
    if (events.length === 0) return 0;
    const byOrg = new Map<string, EndpointRow[]>();
    const rows = [];
    for (const event of events) {
      let endpoints = byOrg.get(event.organization_id);
      if (!endpoints) {
        endpoints = await entitledEndpoints(trx, event.organization_id);
        byOrg.set(event.organization_id, endpoints);
      }
      for (const endpoint of endpoints.filter((e) => wants(e, event.event_type))) {
        const id = ctx.ids.next();
        rows.push({
          id,
          event_id: event.id,
          endpoint_id: endpoint.id,
          client_id: endpoint.client_id,
          organization_id: event.organization_id,
          event_type: event.event_type,
          body: webhookBody(ctx, event, endpoint, id),
          status: 'PENDING' as const,
          attempts: 0,
          next_attempt_at: now,
          lease_holder: null,
          lease_expires_at: null,
          last_status_code: null,
          last_error: null,
          created_at: now,
          delivered_at: null,
        });
      }
    }
    await insertDeliveries(trx, rows);
    await markEventsDispatched(
      trx,
      events.map((e) => e.id),
      now,
    );
    return events.length;
  });
}
