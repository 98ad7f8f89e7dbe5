import type { Kysely } from 'kysely';
import type { AppContext } from '../../context.js';
import type { DB } from '../../db/schema.js';
import type { EventType } from './events.js';
import { insertOutboxEvent } from './outbox.repository.js';

export interface OutboxEvent {
  eventType: EventType;
  organizationId: string;
  voucherProgramId?: string;
  /** The counters and details relevant to the event (docs/webhooks.md); JSON-serializable. */
  data: Record<string, unknown>;
}

/**
 * Records an event in the transactional outbox. Call it with the transaction of the change that
 * caused the event, so a rolled-back change leaves no event and a committed one always has its row
 * (docs/webhooks.md). The webhook dispatcher delivers rows later, at least once.
 */
export async function recordEvent(ctx: AppContext, trx: Kysely<DB>, event: OutboxEvent): Promise<string> {
  const id = ctx.ids.next();
  await insertOutboxEvent(trx, {
    id,
    event_type: event.eventType,
    organization_id: event.organizationId,
    voucher_program_id: event.voucherProgramId ?? null,
    payload: JSON.stringify(event.data),
    created_at: ctx.clock.now(),
    dispatched_at: null,
  });
  return id;
}
