import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB, WebhookDeliveriesTable, WebhookDeliveryAttemptsTable } from '../../db/schema.js';
import type { Dialect } from '../../db/database.js';

export type DeliveryRow = Selectable<WebhookDeliveriesTable>;
export type AttemptRow = Selectable<WebhookDeliveryAttemptsTable>;

/**
 * Claims up to `limit` due deliveries for `holder` with one conditional UPDATE (docs/architecture.md,
 * Scale-out): a delivery is due when PENDING, its time has come and no live lease holds it. On
 * PostgreSQL the candidate rows are locked with FOR UPDATE SKIP LOCKED so concurrent claimers take
 * disjoint sets; SQLite runs the statement under its single write lock. `attempts` counts the
 * claim, so an attempt cut short by a crash still uses up its slot.
 */
export async function claimDueDeliveries(
  db: Kysely<DB>,
  dialect: Dialect,
  holder: string,
  now: number,
  leaseMs: number,
  limit: number,
): Promise<DeliveryRow[]> {
  // Cheap read first: an idle poll takes no write lock (SQLite has one writer at a time).
  const due = await db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('status', '=', 'PENDING')
    .where('next_attempt_at', '<=', now)
    .limit(1)
    .executeTakeFirst();
  if (!due) return [];
  const lock = dialect === 'postgres' ? sql`for update skip locked` : sql``;
  const result = await sql<DeliveryRow>`
    update webhook_deliveries
       set lease_holder = ${holder}, lease_expires_at = ${now + leaseMs}, attempts = attempts + 1
     where id in (
       select id from webhook_deliveries
        where status = 'PENDING' and next_attempt_at <= ${now}
          and (lease_expires_at is null or lease_expires_at < ${now})
        order by next_attempt_at, id
        limit ${limit}
        ${lock})
       and status = 'PENDING' and (lease_expires_at is null or lease_expires_at < ${now})
    returning *`.execute(db);
  return result.rows.map((r) => ({ ...r, attempts: Number(r.attempts), next_attempt_at: Number(r.next_attempt_at) }));
}

export interface AttemptOutcome {
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  nextAttemptAt: number;
  statusCode: number | null;
  error: string | null;
  deliveredAt: number | null;
}

/** Records an attempt's outcome, fenced by our lease: a holder whose lease was taken over writes nothing. */
export async function finishAttempt(db: Kysely<DB>, id: string, holder: string, outcome: AttemptOutcome): Promise<boolean> {
  const result = await db
    .updateTable('webhook_deliveries')
    .set({
      status: outcome.status,
      next_attempt_at: outcome.nextAttemptAt,
      last_status_code: outcome.statusCode,
      last_error: outcome.error,
      delivered_at: outcome.deliveredAt,
      lease_holder: null,
      lease_expires_at: null,
    })
    .where('id', '=', id)
    .where('lease_holder', '=', holder)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function insertAttempt(db: Kysely<DB>, row: AttemptRow): Promise<void> {
  await db.insertInto('webhook_delivery_attempts').values(row).execute();
}

/** A delivery cannot proceed (endpoint removed or disabled): close it without another attempt. */
export async function failPendingForEndpoint(db: Kysely<DB>, endpointId: string, reason: string): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({ status: 'FAILED', last_error: reason, lease_holder: null, lease_expires_at: null })
    .where('endpoint_id', '=', endpointId)
    .where('status', '=', 'PENDING')
    .execute();
}

export async function listDeliveries(
  db: Kysely<DB>,
  endpointId: string,
  options: { limit: number; status?: string; beforeId?: string },
): Promise<DeliveryRow[]> {
  let query = db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId);
  if (options.status) query = query.where('status', '=', options.status as DeliveryRow['status']);
  if (options.beforeId) query = query.where('id', '<', options.beforeId);
  return query.orderBy('id', 'desc').limit(options.limit).execute();
}

export async function listAttempts(db: Kysely<DB>, deliveryIds: string[]): Promise<AttemptRow[]> {
  if (deliveryIds.length === 0) return [];
  return db.selectFrom('webhook_delivery_attempts').selectAll().where('delivery_id', 'in', deliveryIds).orderBy('delivery_id').orderBy('attempt').execute();
}

/** Manual re-send: the delivery becomes due now with a fresh attempt budget (its history stays). */
export async function requeueDelivery(db: Kysely<DB>, endpointId: string, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('webhook_deliveries')
    .set({ status: 'PENDING', attempts: 0, next_attempt_at: now, lease_holder: null, lease_expires_at: null })
    .where('id', '=', id)
    .where('endpoint_id', '=', endpointId)
    .where((eb) => eb.or([eb('status', '!=', 'PENDING'), eb('lease_expires_at', 'is', null)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function countAttempts(db: Kysely<DB>, deliveryId: string): Promise<number> {
  const row = await db
    .selectFrom('webhook_delivery_attempts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('delivery_id', '=', deliveryId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** New deliveries, 200 rows a statement; an (event, endpoint) pair that already has one is skipped. */
export async function insertDeliveries(db: Kysely<DB>, rows: DeliveryRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    await db
      .insertInto('webhook_deliveries')
      .values(rows.slice(i, i + 200))
      .onConflict((oc) => oc.columns(['event_id', 'endpoint_id']).doNothing())
      .execute();
  }
}

/** A delivery of this endpoint, with the organization whose event it carries. */
export async function findEndpointDelivery(db: Kysely<DB>, endpointId: string, id: string): Promise<{ id: string; organization_id: string } | undefined> {
  return db.selectFrom('webhook_deliveries').select(['id', 'organization_id']).where('id', '=', id).where('endpoint_id', '=', endpointId).executeTakeFirst();
}

export async function findDeliveryById(db: Kysely<DB>, id: string): Promise<DeliveryRow> {
  return db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** Ids of finished deliveries (SUCCEEDED/FAILED) created before `cutoff`, at most `limit`. */
export async function finishedDeliveriesBefore(db: Kysely<DB>, cutoff: number, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('status', 'in', ['SUCCEEDED', 'FAILED'])
    .where('created_at', '<', cutoff)
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** Deletes finished deliveries with their attempt logs, in one transaction. */
export async function deleteFinishedDeliveries(db: Kysely<DB>, ids: string[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('webhook_delivery_attempts').where('delivery_id', 'in', ids).execute();
    await trx.deleteFrom('webhook_deliveries').where('id', 'in', ids).where('status', 'in', ['SUCCEEDED', 'FAILED']).execute();
  });
}

/** Deliveries still waiting to be sent (a metrics gauge). */
export async function countPendingDeliveries(db: Kysely<DB>): Promise<number> {
  const row = await db.selectFrom('webhook_deliveries').select(sql<number>`count(*)`.as('n')).where('status', '=', 'PENDING').executeTakeFirst();
  return Number(row?.n ?? 0);
}
