import type { Kysely } from 'kysely';
import type { AppContext } from '../../context.js';
import type { DB } from '../../db/schema.js';
import type { UnitOfWork } from '../../db/unit-of-work.js';
import type { CodeFormat } from '../../lib/codes.js';
import { AppError } from '../../lib/errors.js';
import { addToCodeTotal, findProgram, type ProgramRow } from '../programs/program.repository.js';
import { programStatus } from '../programs/program.status.js';
import { assertCodeSpace } from '../programs/program.validation.js';
import { LARGE_BATCH, refreshCodeStatisticsSoon } from '../../db/statistics.js';
import { recordEvent } from '../webhooks/outbox.js';
import { writeCodeBatch } from './batch-writer.js';
import { workGates } from './work-gates.js';
import { generationInProgress } from './generation.guard.js';
import {
  expireGeneration,
  findActiveGeneration,
  findGeneration,
  finishGeneration,
  tryStartGeneration,
} from './generation.repository.js';

export interface GenerationSummary {
  voucher_program_id: string;
  generation_id: string;
  /** COMPLETED: committed before the answer (200); IN_PROGRESS: a background job (202). */
  status: 'COMPLETED' | 'IN_PROGRESS';
  number_of_codes: number;
  total_number_of_codes: number;
}

/** docs/programs.md: only a live MULTI_CODE program takes more codes, within the per-program cap. */
export function assertCanGenerate(ctx: AppContext, program: ProgramRow, count: number): void {
  if (program.code_scheme !== 'MULTI_CODE_SINGLE_REDEEM') throw new AppError('invalid_request', 'not_multi_code');
  const status = programStatus(program, ctx.clock.now());
  if (status === 'CANCELED') throw new AppError('invalid_request', 'program_canceled');
  if (status === 'COMPLETE') throw new AppError('invalid_request', 'program_complete');
  const total = Number(program.total_number_of_codes) + count;
  if (total > ctx.config.maxCodesPerProgram) {
    throw new AppError('invalid_request', 'program_code_limit', {
      params: { total, max: ctx.config.maxCodesPerProgram },
      metadata: { field: 'number_of_codes' },
    });
  }
  // (X) docs/programs.md: more codes in the same space make guessing easier; refuse past the bound.
  assertCodeSpace(codeFormatOf(program), total, ctx.config.codeMaxGuessOdds);
}

export function codeFormatOf(program: Pick<ProgramRow, 'code_prefix' | 'code_length'>): CodeFormat {
  return { prefix: program.code_prefix, length: program.code_length };
}


/**
 * Takes the program's one generation slot (docs/programs.md) — a row the partial unique index lets
 * exist once per program. A slot whose lease ran out belonged to a process that died mid-batch:
 * its batch was rolled back with it, so the slot is released and taken again.
 */
async function acquireSlot(
  ctx: AppContext,
  db: Kysely<DB>,
  program: ProgramRow,
  count: number,
  clientId: string | null,
  mode: 'INLINE' | 'BACKGROUND',
): Promise<string> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const now = ctx.clock.now();
    const id = ctx.ids.next();
    const started = await tryStartGeneration(db, {
      id,
      program_id: program.id,
      organization_id: program.organization_id,
      requested: count,
      // A background job waits PENDING until a worker claims it (its lease starts then).
      status: mode === 'INLINE' ? 'RUNNING' : 'PENDING',
      mode,
      lease_expires_at: now + ctx.config.generationLeaseSeconds * 1000,
      created_at: now,
      client_id: clientId,
    });
    if (started) return id;
    const active = await findActiveGeneration(db, program.id);
    if (active && !(await expireGeneration(db, active.id, now))) throw generationInProgress(active.id);
  }
  throw generationInProgress();
}

/**
 * ★ Generate Voucher Codes (docs/programs.md). Exactly N new codes or none: the codes, the program total
 * and the generation's completion commit in one transaction, `work`'s (a background job: its
 * PENDING generation row); the generation slot guards against a concurrent batch in any process.
 */
export async function generateVoucherCodes(
  ctx: AppContext,
  input: { organizationId: string; programId: string; count: number; clientId: string | null },
  work: UnitOfWork<GenerationSummary>,
): Promise<GenerationSummary> {
  const db = ctx.database.db;
  const program = await findProgram(db, input.organizationId, input.programId);
  if (!program) throw new AppError('not_found', 'program_not_found');
  assertCanGenerate(ctx, program, input.count);

  if (input.count > ctx.config.inlineGenerationLimit) {
    // docs/programs.md: above the inline limit the batch is a durable background job (202).
    return work.transaction(async (trx) => ({
      voucher_program_id: program.id,
      generation_id: await acquireSlot(ctx, trx, program, input.count, input.clientId, 'BACKGROUND'),
      status: 'IN_PROGRESS',
      number_of_codes: input.count,
      total_number_of_codes: Number(program.total_number_of_codes),
    }));
  }
  // docs/limits.md, Concurrency: a turn for this organization and the process, or 429 before anything is written.
  const release = await workGates(ctx).generation.enter(program.organization_id);
  try {
    return await generateInline(ctx, program, input, work);
  } finally {
    release();
  }
}

async function generateInline(
  ctx: AppContext,
  program: ProgramRow,
  input: { organizationId: string; programId: string; count: number; clientId: string | null },
  work: UnitOfWork<GenerationSummary>,
): Promise<GenerationSummary> {
  const db = ctx.database.db;
  // The slot commits on its own, before the batch: a rival batch waits on it, not on our transaction.
  const generationId = await acquireSlot(ctx, db, program, input.count, input.clientId, 'INLINE');
  const started = performance.now();
  try {
    const summary = await work.transaction(async (trx) => {
      await writeCodeBatch(ctx, trx, {
        programId: program.id,
        organizationId: program.organization_id,
        generationId,
        count: input.count,
        maxRedemptions: 1,
        format: codeFormatOf(program),
      });
      const now = ctx.clock.now();
      const newTotal = await addToCodeTotal(trx, program.id, input.count, ctx.config.maxCodesPerProgram, now);
      if (newTotal === undefined) {
        // Canceled or capped between the check and the commit: re-read to say which.
        const fresh = await findProgram(trx, input.organizationId, input.programId);
        assertCanGenerate(ctx, fresh ?? program, input.count);
        throw new AppError('invalid_request', 'program_canceled');
      }
      // Fencing: if our lease was taken over, nothing of this batch may commit.
      if (!(await finishGeneration(trx, generationId, 'COMPLETED', input.count, now))) throw generationInProgress();
      await recordEvent(ctx, trx, {
        eventType: 'voucher_program_updated',
        organizationId: program.organization_id,
        voucherProgramId: program.id,
        data: { generation_id: generationId, number_of_codes: input.count, total_number_of_codes: newTotal },
      });
      return {
        voucher_program_id: program.id,
        generation_id: generationId,
        status: 'COMPLETED' as const,
        number_of_codes: input.count,
        total_number_of_codes: newTotal,
      };
    });
    if (input.count >= LARGE_BATCH) refreshCodeStatisticsSoon(ctx.database);
    ctx.metrics.codesGenerated.inc({ mode: 'sync' }, input.count);
    ctx.metrics.generationDuration.observe({ mode: 'sync' }, (performance.now() - started) / 1000);
    return summary;
  } catch (err) {
    await finishGeneration(db, generationId, 'FAILED', 0, ctx.clock.now()).catch(() => undefined);
    throw err;
  }
}

/** One generation of a program as answered by GET …/generations/:id; 404 when it is not there. */
export async function getGeneration(ctx: AppContext, organizationId: string, programId: string, generationId: string) {
  const generation = await findGeneration(ctx.database.db, organizationId, programId, generationId);
  if (!generation) throw new AppError('not_found', 'route_not_found');
  return {
    generation_id: generation.id,
    voucher_program_id: generation.program_id,
    status: generation.status === 'RUNNING' || generation.status === 'PENDING' ? ('IN_PROGRESS' as const) : generation.status,
    requested: generation.requested,
    generated: Number(generation.generated),
    mode: generation.mode,
    created_at: generation.created_at,
    ...(generation.finished_at !== null ? { finished_at: generation.finished_at } : {}),
  };
}
