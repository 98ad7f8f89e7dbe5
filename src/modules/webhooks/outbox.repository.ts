import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { Dialect } from '../../db/database.js';
import type { DB, OutboxEventsTable } from '../../db/schema.js';

export type EventRow = Selectable<OutboxEventsTable>;

export async function insertOutboxEvent(db: Kysely<DB>, row: Insertable<OutboxEventsTable>): Promise<void> {
  await db.insertInto('outbox_events').values(row).execute();
}

/** Whether any event waits for fan-out: a cheap read that takes no write lock. */
export async function hasUndispatchedEvent(db: Kysely<DB>): Promise<boolean> {
  return (await db.selectFrom('outbox_events').select('id').where('dispatched_at', 'is', null).limit(1).executeTakeFirst()) !== undefined;
}

/** The oldest undispatched events; on PostgreSQL rows another transaction holds are skipped. */
export async function claimUndispatchedEvents(trx: Kysely<DB>, dialect: Dialect, limit: number): Promise<EventRow[]> {
  return trx
    .selectFrom('outbox_events')
    .selectAll()
    .where('dispatched_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .$if(dialect === 'postgres', (q) => q.forUpdate().skipLocked())
    .execute();
}

export async function markEventsDispatched(trx: Kysely<DB>, ids: string[], now: number): Promise<void> {
  await trx.updateTable('outbox_events').set({ dispatched_at: now }).where('id', 'in', ids).execute();
}

/** Ids of events dispatched before `cutoff`, at most `limit`. */
export async function dispatchedEventsBefore(db: Kysely<DB>, cutoff: number, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('outbox_events').select('id').where('dispatched_at', 'is not', null).where('dispatched_at', '<', cutoff).limit(limit).execute();
  return rows.map((r) => r.id);
}

export async function deleteEvents(db: Kysely<DB>, ids: string[]): Promise<void> {
  await db.deleteFrom('outbox_events').where('id', 'in', ids).execute();
}

/** Events not yet fanned out (a metrics gauge). */
export async function countUndispatchedEvents(db: Kysely<DB>): Promise<number> {
  const row = await db.selectFrom('outbox_events').select(sql<number>`count(*)`.as('n')).where('dispatched_at', 'is', null).executeTakeFirst();
  return Number(row?.n ?? 0);
}
