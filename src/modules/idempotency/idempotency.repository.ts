import type { Kysely, Selectable } from 'kysely';
import type { DB, IdempotencyKeysTable } from '../../db/schema.js';

export type IdempotencyRow = Selectable<IdempotencyKeysTable>;

export interface Scope {
  principal: string;
  organizationId: string;
  method: string;
  path: string;
  key: string;
}

/** Claims the scope's unique row (docs/programs.md): true when this request is the one to execute. */
export async function tryClaim(db: Kysely<DB>, row: IdempotencyRow): Promise<boolean> {
  const inserted = await db
    .insertInto('idempotency_keys')
    .values(row)
    .onConflict((oc) => oc.columns(['principal', 'organization_id', 'method', 'path', 'idempotency_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted?.id === row.id;
}

export async function findByScope(db: Kysely<DB>, scope: Scope): Promise<IdempotencyRow | undefined> {
  return db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('principal', '=', scope.principal)
    .where('organization_id', '=', scope.organizationId)
    .where('method', '=', scope.method)
    .where('path', '=', scope.path)
    .where('idempotency_key', '=', scope.key)
    .executeTakeFirst();
}

/** Removes an expired row, or an abandoned in-progress one (its process died), so the key can be claimed again. */
export async function deleteStale(db: Kysely<DB>, id: string, now: number): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('id', '=', id)
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb.and([eb('status', '=', 'IN_PROGRESS'), eb('locked_until', '<', now)])]))
    .execute();
}

/** Stores the answer under a claimed key; false when the claim is no longer there (taken over after its lock ran out). */
export async function complete(db: Kysely<DB>, id: string, response: { status: number; headers: string; body: string }): Promise<boolean> {
  const result = await db
    .updateTable('idempotency_keys')
    .set({ status: 'COMPLETED', response_status: response.status, response_headers: response.headers, response_body: response.body })
    .where('id', '=', id)
    .where('status', '=', 'IN_PROGRESS')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function release(db: Kysely<DB>, id: string): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('id', '=', id).where('status', '=', 'IN_PROGRESS').execute();
}

/** Retention sweep: deletes up to `limit` expired rows; returns how many. */
export async function sweepExpired(db: Kysely<DB>, now: number, limit: number): Promise<number> {
  const ids = await db.selectFrom('idempotency_keys').select('id').where('expires_at', '<=', now).limit(limit).execute();
  if (ids.length === 0) return 0;
  const result = await db
    .deleteFrom('idempotency_keys')
    .where(
      'id',
      'in',
      ids.map((r) => r.id),
    )
    .where('expires_at', '<=', now)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
