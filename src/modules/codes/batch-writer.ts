import type { Kysely } from 'kysely';
import type { AppContext } from '../../context.js';
import type { DB } from '../../db/schema.js';
import { generateCodes, type CodeFormat, type CodeRange } from '../../lib/codes.js';
import { insertCodeBatch } from './code.repository.js';

/** Rounds in a row that insert nothing before the code space is declared exhausted (a broken RNG). */
const MAX_STALLED_ROUNDS = 16;

export class CodeSpaceExhaustedError extends Error {
  constructor() {
    super('Could not generate new unique codes: the random source keeps repeating itself.');
    this.name = 'CodeSpaceExhaustedError';
  }
}

/**
 * Writes exactly `count` new codes for a program inside the caller's transaction — the one path
 * every batch takes (create and generate, api.md §4–§5). Codes are drawn from the CSPRNG, sorted
 * (index locality on the unique code index) and inserted set-based; any that already exist
 * anywhere are skipped by the database and replaced by fresh ones until the count is met. A chunk
 * of a background job passes its `range` (a slice of the code space, see CodeRange) and every code
 * of the batch, top-ups included, is drawn from it.
 */
export async function writeCodeBatch(
  ctx: AppContext,
  trx: Kysely<DB>,
  spec: { programId: string; organizationId: string; generationId: string; count: number; maxRedemptions: number; format: CodeFormat; range?: CodeRange },
): Promise<number> {
  const createdAt = ctx.clock.now();
  let remaining = spec.count;
  let stalled = 0;
  while (remaining > 0) {
    const codes = [...new Set(generateCodes(remaining, ctx.random, spec.format, spec.range))].sort();
    const ids = codes.map(() => ctx.ids.next());
    const inserted = await insertCodeBatch(ctx.database, trx, {
      ids,
      codes,
      programId: spec.programId,
      organizationId: spec.organizationId,
      generationId: spec.generationId,
      maxRedemptions: spec.maxRedemptions,
      createdAt,
    });
    if (inserted === 0 && ++stalled >= MAX_STALLED_ROUNDS) throw new CodeSpaceExhaustedError();
    if (inserted > 0) stalled = 0;
    remaining -= inserted;
  }
  return spec.count;
}
