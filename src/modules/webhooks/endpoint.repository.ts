import { sql, type ExpressionBuilder, type Kysely, type Selectable } from 'kysely';
import type { Dialect } from '../../db/database.js';
import type { DB, WebhookEndpointsTable } from '../../db/schema.js';

export type EndpointRow = Selectable<WebhookEndpointsTable>;

export async function insertEndpoint(db: Kysely<DB>, row: EndpointRow): Promise<void> {
  await db.insertInto('webhook_endpoints').values(row).execute();
}

/**
 * Holds the client's row for the rest of the transaction, so endpoint creations of one client run
 * one after the other in every process: PostgreSQL locks the row (FOR UPDATE); on SQLite the
 * transaction holds the write lock from BEGIN IMMEDIATE, and this no-op write keeps it explicit.
 */
export async function lockClientEndpoints(db: Kysely<DB>, dialect: Dialect, clientId: string): Promise<void> {
  if (dialect === 'postgres') {
    await db.selectFrom('oauth_clients').select('client_id').where('client_id', '=', clientId).forUpdate().execute();
  } else {
    await sql`update oauth_clients set client_id = client_id where client_id = ${clientId}`.execute(db);
  }
}

/**
 * The client's live (not removed) endpoints: every lookup and change through the client's API is
 * scoped to the owning client, and a removed endpoint is gone for it.
 */
function liveEndpointsOf(clientId: string) {
  return (eb: ExpressionBuilder<DB, 'webhook_endpoints'>) => eb.and([eb('client_id', '=', clientId), eb('deleted_at', 'is', null)]);
}

/** One live endpoint of the client: another client's endpoint, or a removed one, matches nothing. */
function liveEndpointOf(clientId: string, id: string) {
  return (eb: ExpressionBuilder<DB, 'webhook_endpoints'>) => eb.and([eb('id', '=', id), liveEndpointsOf(clientId)(eb)]);
}

export async function countLiveEndpoints(db: Kysely<DB>, clientId: string): Promise<number> {
  const row = await db
    .selectFrom('webhook_endpoints')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(liveEndpointsOf(clientId))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findEndpoint(db: Kysely<DB>, clientId: string, id: string): Promise<EndpointRow | undefined> {
  return db.selectFrom('webhook_endpoints').selectAll().where(liveEndpointOf(clientId, id)).executeTakeFirst();
}

/** Any endpoint, removed ones too: the dispatcher reads the one a queued delivery names. */
export async function findEndpointById(db: Kysely<DB>, id: string): Promise<EndpointRow | undefined> {
  return db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listEndpoints(db: Kysely<DB>, clientId: string): Promise<EndpointRow[]> {
  return db.selectFrom('webhook_endpoints').selectAll().where(liveEndpointsOf(clientId)).orderBy('created_at').orderBy('id').execute();
}

export async function removeEndpoint(db: Kysely<DB>, clientId: string, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('webhook_endpoints')
    .set({ deleted_at: now, updated_at: now })
    .where(liveEndpointOf(clientId, id))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function rotateKey(
  db: Kysely<DB>,
  clientId: string,
  id: string,
  keys: { next: string; stored: string; previous: string; previousExpiresAt: number | null },
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('webhook_endpoints')
    .set({
      signing_key: keys.next,
      previous_signing_key: keys.previousExpiresAt === null ? null : keys.previous,
      previous_key_expires_at: keys.previousExpiresAt,
      updated_at: now,
    })
    .where(liveEndpointOf(clientId, id))
    .where('signing_key', '=', keys.stored)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** 410 Gone from the receiver (docs/webhooks.md): the endpoint stops receiving. */
export async function disableEndpoint(db: Kysely<DB>, id: string, reason: string, now: number): Promise<void> {
  await db
    .updateTable('webhook_endpoints')
    .set({ status: 'DISABLED', disabled_reason: reason, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'ENABLED')
    .execute();
}

/**
 * A live endpoint owned by one of the organization's first-party clients (docs/webhooks.md,
 * Organization endpoints); another organization's endpoint is simply not found.
 */
export async function findOrgEndpoint(db: Kysely<DB>, organizationId: string, id: string): Promise<EndpointRow | undefined> {
  return liveOrgEndpoints(db, organizationId).where('e.id', '=', id).executeTakeFirst();
}

/** The live endpoints of every first-party client of the organization, oldest first. */
export async function listOrgEndpoints(db: Kysely<DB>, organizationId: string): Promise<EndpointRow[]> {
  return liveOrgEndpoints(db, organizationId).orderBy('e.created_at').orderBy('e.id').execute();
}

/** The live endpoints owned by the organization's first-party clients (the organization's own). */
function liveOrgEndpoints(db: Kysely<DB>, organizationId: string) {
  return db
    .selectFrom('webhook_endpoints as e')
    .innerJoin('oauth_clients as c', 'c.client_id', 'e.client_id')
    .selectAll('e')
    .where('e.deleted_at', 'is', null)
    .where('c.kind', '=', 'FIRST_PARTY')
    .where('c.organization_id', '=', organizationId);
}

/**
 * Endpoints entitled to an organization's events (docs/oauth.md): those of its first-party clients
 * and of aggregator clients the organization has authorized (active authorization, client enabled).
 */
export async function entitledEndpoints(db: Kysely<DB>, organizationId: string): Promise<EndpointRow[]> {
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
