import { sql, type Kysely, type Selectable } from 'kysely';
import type { CodeGenerationsTable, DB } from '../../db/schema.js';

export type GenerationRow = Selectable<CodeGenerationsTable>;

/**
 * Claims the program's single generation slot. The partial unique index
 * `code_generations_one_active` makes a second active row impossible in any process; the insert
 * then does nothing and this returns false.
 */
export async function tryStartGeneration(
  db: Kysely<DB>,
  row: Omit<CodeGenerationsTable, 'generated' | 'finished_at' | 'mode' | 'lease_holder'> & {
    generated?: number;
    finished_at?: number | null;
    mode?: 'INLINE' | 'BACKGROUND';
    lease_holder?: string | null;
  },
): Promise<boolean> {
  const result = await db
    .insertInto('code_generations')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
}

export async function findActiveGeneration(db: Kysely<DB>, programId: string): Promise<GenerationRow | undefined> {
  return db
    .selectFrom('code_generations')
    .selectAll()
    .where('program_id', '=', programId)
    .where('status', 'in', ['PENDING', 'RUNNING'])
    .executeTakeFirst();
}

/**
 * Marks an active INLINE generation FAILED if its lease ran out (its process died and its batch
 * rolled back). Background jobs are never expired: they are resumed. True when it did.
 */
export async function expireGeneration(db: Kysely<DB>, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('code_generations')
    .set({ status: 'FAILED', finished_at: now })
    .where('id', '=', id)
    .where('mode', '=', 'INLINE')
    .where('status', 'in', ['PENDING', 'RUNNING'])
    .where('lease_expires_at', '<', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Fenced finish: only the holder of a still-RUNNING generation can complete or fail it. */
export async function finishGeneration(
  db: Kysely<DB>,
  id: string,
  status: 'COMPLETED' | 'FAILED',
  generated: number,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('code_generations')
    .set({ status, generated, finished_at: now })
    .where('id', '=', id)
    .where('status', '=', 'RUNNING')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function findGeneration(
  db: Kysely<DB>,
  organizationId: string,
  programId: string,
  generationId: string,
): Promise<GenerationRow | undefined> {
  return db
    .selectFrom('code_generations')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('program_id', '=', programId)
    .where('id', '=', generationId)
    .executeTakeFirst();
}

export async function findGenerationById(db: Kysely<DB>, id: string): Promise<GenerationRow | undefined> {
  return db.selectFrom('code_generations').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Claims one background job for `holder`: a PENDING one, or a RUNNING one whose lease ran out (its
 * process died or stopped). The conditional update decides between competing processes.
 */
export async function claimBackgroundJob(db: Kysely<DB>, holder: string, now: number, leaseMs: number): Promise<string | undefined> {
  const claimable = (qb: any) =>
    qb.where('mode', '=', 'BACKGROUND').where((eb: any) =>
      eb.or([eb('status', '=', 'PENDING'), eb.and([eb('status', '=', 'RUNNING'), eb('lease_expires_at', '<', now)])]),
    );
  const candidates = await claimable(db.selectFrom('code_generations').select('id')).orderBy('created_at').limit(5).execute();
  for (const { id } of candidates as { id: string }[]) {
    const result = await claimable(
      db.updateTable('code_generations').set({ status: 'RUNNING', lease_holder: holder, lease_expires_at: now + leaseMs }).where('id', '=', id),
    ).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1) return id;
  }
  return undefined;
}

/**
 * Records one committed chunk of a background job, fenced: only the lease holder, and only from the
 * progress it last saw (so a chunk can never be counted twice). Completes the job on the last chunk.
 */
export async function advanceBackgroundJob(
  db: Kysely<DB>,
  job: { id: string; holder: string; generatedBefore: number; chunk: number; requested: number },
  now: number,
  leaseMs: number,
): Promise<boolean> {
  const done = job.generatedBefore + job.chunk >= job.requested;
  const result = await db
    .updateTable('code_generations')
    .set({
      generated: job.generatedBefore + job.chunk,
      lease_expires_at: now + leaseMs,
      ...(done ? { status: 'COMPLETED' as const, finished_at: now } : {}),
    })
    .where('id', '=', job.id)
    .where('status', '=', 'RUNNING')
    .where('lease_holder', '=', job.holder)
    .where('generated', '=', job.generatedBefore)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives a job back (graceful stop): another process may resume it at once. */
export async function releaseBackgroundJob(db: Kysely<DB>, id: string, holder: string, now: number): Promise<void> {
  await db
    .updateTable('code_generations')
    .set({ lease_expires_at: now - 1 })
    .where('id', '=', id)
    .where('status', '=', 'RUNNING')
    .where('lease_holder', '=', holder)
    .execute();
}

export async function failBackgroundJob(db: Kysely<DB>, id: string, holder: string, now: number): Promise<void> {
  await db
    .updateTable('code_generations')
    .set({ status: 'FAILED', finished_at: now })
    .where('id', '=', id)
    .where('status', '=', 'RUNNING')
    .where('lease_holder', '=', holder)
    .execute();
}

/** True while a live (lease not expired) generation holds the program's slot (docs/programs.md). */
export async function isGenerationRunning(db: Kysely<DB>, programId: string, now: number): Promise<boolean> {
  const active = await findActiveGeneration(db, programId);
  return active !== undefined && Number(active.lease_expires_at) >= now;
}

/** Background generation jobs waiting for a process (pending) and held by one (running): a metrics gauge. */
export async function countBackgroundGenerations(db: Kysely<DB>): Promise<{ pending: number; running: number }> {
  const rows = await db
    .selectFrom('code_generations')
    .select(['status', sql<number>`count(*)`.as('n')])
    .where('mode', '=', 'BACKGROUND')
    .where('status', 'in', ['PENDING', 'RUNNING'])
    .groupBy('status')
    .execute();
  const count = (status: string) => Number(rows.find((r) => r.status === status)?.n ?? 0);
  return { pending: count('PENDING'), running: count('RUNNING') };
}
