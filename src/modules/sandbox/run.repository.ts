import type { Insertable, Kysely, Selectable } from 'kysely';
import type { DB, SandboxRunsTable } from '../../db/schema.js';

export type RunRow = Selectable<SandboxRunsTable>;

export async function insertRun(db: Kysely<DB>, row: Insertable<SandboxRunsTable>): Promise<void> {
  await db.insertInto('sandbox_runs').values(row).execute();
}

/** A run as its requesting client sees it: another client's run is indistinguishable from none. */
export async function findRunOfClient(db: Kysely<DB>, id: string, clientId: string): Promise<RunRow | undefined> {
  return db.selectFrom('sandbox_runs').selectAll().where('id', '=', id).where('client_id', '=', clientId).executeTakeFirst();
}

export async function findRun(db: Kysely<DB>, id: string): Promise<RunRow | undefined> {
  return db.selectFrom('sandbox_runs').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Claims one due run for `holder`: RUNNING, due, and not leased (or its lease expired — its holder
 * died). One conditional update decides, so two processes never hold the same run.
 */
export async function claimDueRun(db: Kysely<DB>, holder: string, now: number, leaseMs: number): Promise<RunRow | undefined> {
  const claimable = <Q extends { where: any }>(qb: Q): Q =>
    qb
      .where('state', '=', 'RUNNING')
      .where('due_at', '<=', now)
      .where((eb: any) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', now)]));
  const candidates = await claimable(db.selectFrom('sandbox_runs').select('id')).orderBy('due_at').orderBy('id').limit(5).execute();
  for (const { id } of candidates) {
    const row = await claimable(
      db
        .updateTable('sandbox_runs')
        .set((eb) => ({ lease_holder: holder, lease_expires_at: now + leaseMs, attempts: eb('attempts', '+', 1) }))
        .where('id', '=', id),
    )
      .returningAll()
      .executeTakeFirst();
    if (row) return row;
  }
  return undefined;
}

/** Ends a run, fenced by the lease: only its current holder may, and only once. */
export async function finishRun(
  db: Kysely<DB>,
  id: string,
  holder: string,
  outcome: { state: 'COMPLETED' | 'FAILED'; runInfo: string | null; message: string | null },
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('sandbox_runs')
    .set({ state: outcome.state, run_info: outcome.runInfo, message: outcome.message, finished_at: now, lease_holder: null, lease_expires_at: null })
    .where('id', '=', id)
    .where('state', '=', 'RUNNING')
    .where('lease_holder', '=', holder)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Organizations of the vouchers a rider holds (to record which of them the caller may act for). */
export async function riderVoucherOrganizations(db: Kysely<DB>, userId: string): Promise<string[]> {
  const rows = await db.selectFrom('vouchers').select('organization_id').distinct().where('user_id', '=', userId).orderBy('organization_id').execute();
  return rows.map((r) => r.organization_id);
}

/**
 * The rider's vouchers of those organizations, oldest claim first: the order the run tries them in.
 * Canceled programs are left out; the usage path decides the rest (status, locations, rules).
 */
export async function candidateVouchers(db: Kysely<DB>, userId: string, organizationIds: string[]) {
  if (organizationIds.length === 0) return [];
  return db
    .selectFrom('vouchers as v')
    .innerJoin('voucher_programs as p', 'p.id', 'v.program_id')
    .select(['v.id', 'p.currency_code'])
    .where('v.user_id', '=', userId)
    .where('v.organization_id', 'in', organizationIds)
    .where('p.canceled_at', 'is', null)
    .orderBy('v.created_at')
    .orderBy('v.id')
    .limit(100)
    .execute();
}

/** The voucher a run's trip was already applied to, if a previous attempt got that far. */
export async function voucherOfTrip(db: Kysely<DB>, userId: string, tripId: string) {
  return db
    .selectFrom('voucher_trips as t')
    .innerJoin('vouchers as v', 'v.id', 't.voucher_id')
    .innerJoin('voucher_programs as p', 'p.id', 'v.program_id')
    .select(['v.id', 'p.currency_code', 't.fare_amount'])
    .where('t.trip_id', '=', tripId)
    .where('v.user_id', '=', userId)
    .executeTakeFirst();
}
