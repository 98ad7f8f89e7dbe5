import type { Kysely, Selectable } from 'kysely';
import type { CodeGenerationsTable, DB } from '../../db/schema.js';

export type GenerationRow = Selectable<CodeGenerationsTable>;

/**
 * Claims the program's single generation slot. The partial unique index
 * `code_generations_one_active` makes a second active row impossible in any process; the insert
 * then does nothing and this returns false.
 */
export async function tryStartGeneration(
  db: Kysely<DB>,
  row: Omit<CodeGenerationsTable, 'generated' | 'finished_at'> & { generated?: number; finished_at?: number | null },
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

/** Marks an active generation FAILED if its lease ran out (its process died). True when it did. */
export async function expireGeneration(db: Kysely<DB>, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('code_generations')
    .set({ status: 'FAILED', finished_at: now })
    .where('id', '=', id)
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

/** True while a live (lease not expired) generation holds the program's slot (api.md §5 item 3). */
export async function isGenerationRunning(db: Kysely<DB>, programId: string, now: number): Promise<boolean> {
  const active = await findActiveGeneration(db, programId);
  return active !== undefined && Number(active.lease_expires_at) >= now;
}
