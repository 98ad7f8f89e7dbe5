import type { Kysely, Selectable } from 'kysely';
import type { AppContext } from '../../context.js';
import type { DB, OutboxEventsTable } from '../../db/schema.js';
import type { EndpointRow } from './endpoint.repository.js';
import { countersToWire } from './wire-counters.js';

type EventRow = Selectable<OutboxEventsTable>;

/**
 * Endpoints entitled to an organization's events (docs/oauth.md): those of its first-party clients
 * and of aggregator clients the organization has authorized (active authorization, client enabled).
 */
async function entitledEndpoints(db: Kysely<DB>, organizationId: string): Promise<EndpointRow[]> {
  return db
    .selectFrom('webhook_endpoints as e')
    .innerJoin('oauth_clients as c', 'c.client_id', 'e.client_id')
    .selectAll('e')
    .where('e.status', '=', 'ENABLED')
    .where('e.deleted_at', 'is', null)
    .where('c.disabled_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb.and([eb('c.kind', '=', 'FIRST_PARTY'), eb('c.organization_id', '=', organizationId)]),
        eb.and([
          eb('c.kind', '=', 'THIRD_PARTY'),
          eb.exists(
            eb
              .selectFrom('organization_authorizations as a')
              .select('a.id')
              .whereRef('a.client_id', '=', 'c.client_id')
              .where('a.organization_id', '=', organizationId)
              .where('a.revoked_at', 'is', null),
          ),
        ]),
      ]),
    )
    .execute();
}

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
  const pending = await ctx.database.db.selectFrom('outbox_events').select('id').where('dispatched_at', 'is', null).limit(1).executeTakeFirst();
  if (!pending) return 0;
  return ctx.database.db.transaction().execute(async (trx) => {
    const events = await trx
      .selectFrom('outbox_events')
      .selectAll()
      .where('dispatched_at', 'is', null)
      .orderBy('created_at')
      .orderBy('id')
      .limit(batchSize)
      .$if(ctx.database.dialect === 'postgres', (q) => q.forUpdate().skipLocked())
      .execute();
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
    for (let i = 0; i < rows.length; i += 200) {
      await trx
        .insertInto('webhook_deliveries')
        .values(rows.slice(i, i + 200))
        .onConflict((oc) => oc.columns(['event_id', 'endpoint_id']).doNothing())
        .execute();
    }
    await trx
      .updateTable('outbox_events')
      .set({ dispatched_at: now })
      .where(
        'id',
        'in',
        events.map((e) => e.id),
      )
      .execute();
    return events.length;
  });
}
