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

export interface CodeDraw {
  count: number;
  format: CodeFormat;
  range?: CodeRange;
}

/**
 * `count` codes from the CSPRNG (of `range`, when given), sorted — index locality on the unique code
 * index — and without repeats (the few a batch draws twice are dropped; the writer tops up).
 */
export function drawCodes(ctx: AppContext, draw: CodeDraw): string[] {
  const codes = generateCodes(draw.count, ctx.random, draw.format, draw.range).sort();
  let kept = 0;
  for (let i = 0; i < codes.length; i++) if (i === 0 || codes[i] !== codes[kept - 1]) codes[kept++] = codes[i]!;
  codes.length = kept;
  return codes;
}

export interface BatchSpec extends CodeDraw {
  programId: string;
  organizationId: string;
  generationId: string;
  maxRedemptions: number;
  /** Codes already drawn for this batch (drawCodes with the same count, format and range). */
  drawn?: string[];
  /**
   * Work to do while the database executes the first insert (the job draws its next chunk here: on
   * PostgreSQL the database and Node then work at the same time).
   */
  whileInserting?: () => void;
}

/**
 * Writes exactly `count` new codes for a program inside the caller's transaction (a unit of work's,
 * src/db/unit-of-work.ts) — the one path
 * every batch takes (create and generate, docs/programs.md–§5). Codes are drawn by drawCodes and inserted
 * set-based; any that already exist anywhere are skipped by the database and replaced by fresh ones
 * (from the same range) until the count is met.
 */
export async function writeCodeBatch(ctx: AppContext, trx: Kysely<DB>, spec: BatchSpec): Promise<number> {
  const createdAt = ctx.clock.now();
  let remaining = spec.count;
  let stalled = 0;
  let drawn = spec.drawn;
  let whileInserting = spec.whileInserting;
  while (remaining > 0) {
    const codes = drawn ?? drawCodes(ctx, { count: remaining, format: spec.format, range: spec.range });
    drawn = undefined;
    const ids = codes.map(() => ctx.ids.next());
    const inserted = await insertCodeBatch(
      trx,
      {
        ids,
        codes,
        programId: spec.programId,
        organizationId: spec.organizationId,
        generationId: spec.generationId,
        maxRedemptions: spec.maxRedemptions,
        createdAt,
      },
      whileInserting,
    );
    whileInserting = undefined;
    if (inserted === 0 && ++stalled >= MAX_STALLED_ROUNDS) throw new CodeSpaceExhaustedError();
    if (inserted > 0) stalled = 0;
    remaining -= inserted;
  }
  return spec.count;
}
