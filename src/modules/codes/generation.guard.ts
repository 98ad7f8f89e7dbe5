import type { Kysely } from 'kysely';
import type { AppContext } from '../../context.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/errors.js';
import { isGenerationRunning } from './generation.repository.js';

/** 409 while a generation of the program runs; `metadata.generation_id` names it when known, so a caller can follow its progress. */
export function generationInProgress(runningId?: string): AppError {
  return new AppError('generation_in_progress', 'generation_in_progress', { headers: { 'retry-after': '2' }, ...(runningId ? { metadata: { generation_id: runningId } } : {}) });
}

/**
 * docs/programs.md: add-guests, cancel-codes and distribute answer 409 `code_generation_in_progress`
 * while a generation of the program runs (Uber's changelog, March 2024).
 */
export async function assertNoGenerationRunning(ctx: AppContext, db: Kysely<DB>, programId: string): Promise<void> {
  if (await isGenerationRunning(db, programId, ctx.clock.now())) {
    throw generationInProgress();
  }
}
