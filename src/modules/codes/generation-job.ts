import type { AppContext } from '../../context.js';
import type { Worker } from '../../jobs/runner.js';
import { drainWorker } from '../../jobs/drain-worker.js';
import { refreshCodeStatisticsSoon } from '../../db/statistics.js';
import { skipCommitFlush } from '../../db/commit-flush.js';
import { unitOfWork } from '../../db/unit-of-work.js';
import { DEFAULT_CODE_FORMAT, rangeForShare, type CodeFormat } from '../../lib/codes.js';
import { addToCodeTotal, findProgram } from '../programs/program.repository.js';
import { codeFormatOf } from './generation.service.js';
import { recordEvent } from '../webhooks/outbox.js';
import { drawCodes, writeCodeBatch } from './batch-writer.js';
import { workGates } from './work-gates.js';
import {
  advanceBackgroundJob,
  claimBackgroundJob,
  failBackgroundJob,
  findGenerationById,
  releaseBackgroundJob,
} from './generation.repository.js';

// A program deleted under a job has no format left; the chunk then fails on the program total anyway.
const DEFAULT_CODE_FORMAT_ROW = { code_prefix: DEFAULT_CODE_FORMAT.prefix, code_length: DEFAULT_CODE_FORMAT.length };

export type JobOutcome = 'COMPLETED' | 'FAILED' | 'LOST' | 'STOPPED';
type ChunkOutcome = 'LOST' | 'CONTINUE' | 'COMPLETED';

class ProgramClosedError extends Error {}

/**
 * Runs a claimed background generation (docs/programs.md items 4–5) chunk by chunk. Each chunk — its codes,
 * the program total, the job's progress and lease — commits in one transaction, so a crash at any
 * instant loses at most the chunk in flight, and whoever resumes the job continues from the last
 * committed progress until exactly `requested` codes exist. Totals equal rows after every commit.
 */
export async function runGenerationJob(ctx: AppContext, id: string, holder: string, signal?: AbortSignal): Promise<JobOutcome> {
  const db = ctx.database.db;
  const leaseMs = ctx.config.generationLeaseSeconds * 1000;
  let format: CodeFormat | undefined;
  // The next chunk's codes, drawn while the database inserts the current one.
  let next: { done: number; codes: string[] } | undefined;
  for (;;) {
    const job = await findGenerationById(db, id);
    if (!job || job.status !== 'RUNNING' || job.lease_holder !== holder) return job?.status === 'COMPLETED' ? 'COMPLETED' : 'LOST';
    if (signal?.aborted) {
      await releaseBackgroundJob(db, id, holder, ctx.clock.now());
      return 'STOPPED';
    }
    format ??= codeFormatOf((await findProgram(db, job.organization_id, job.program_id)) ?? DEFAULT_CODE_FORMAT_ROW);
    const generatedBefore = Number(job.generated);
    const chunkAt = (done: number) => Math.min(ctx.config.generationChunkSize, job.requested - done);
    const chunk = chunkAt(generatedBefore);
    const drawn = next?.done === generatedBefore ? next.codes : undefined;
    next = undefined;
    const following = generatedBefore + chunk;
    const followingChunk = chunkAt(following);
    try {
      // Each chunk is its own unit of work (src/db/unit-of-work.ts): the batch writer's statements run in it.
      const outcome = await unitOfWork<ChunkOutcome>(ctx.database).transaction(async (trx) => {
        const now = ctx.clock.now();
        // Fence first (on PostgreSQL this also locks the job row for the chunk).
        if (!(await advanceBackgroundJob(trx, { id, holder, generatedBefore, chunk, requested: job.requested }, now, leaseMs))) {
          return 'LOST' as const;
        }
        const total = await addToCodeTotal(trx, job.program_id, chunk, ctx.config.maxCodesPerProgram, now);
        if (total === undefined) throw new ProgramClosedError();
        // Only the last chunk's commit (COMPLETED, the event) must be durable before anyone hears of it.
        if (followingChunk > 0) await skipCommitFlush(ctx.database, trx);
        await writeCodeBatch(ctx, trx, {
          programId: job.program_id,
          organizationId: job.organization_id,
          generationId: id,
          count: chunk,
          maxRedemptions: 1,
          format: format!,
          // Successive chunks fill successive slices of the code space: each lands in one stretch
          // of the unique code index instead of all over it (bench G2).
          range: rangeForShare(generatedBefore, chunk, job.requested),
          drawn,
          whileInserting:
            followingChunk > 0
              ? () => {
                  const codes = drawCodes(ctx, { count: followingChunk, format: format!, range: rangeForShare(following, followingChunk, job.requested) });
                  next = { done: following, codes };
                }
              : undefined,
        });
        if (generatedBefore + chunk < job.requested) return 'CONTINUE' as const;
        await recordEvent(ctx, trx, {
          eventType: 'voucher_program_updated',
          organizationId: job.organization_id,
          voucherProgramId: job.program_id,
          data: { generation_id: id, number_of_codes: job.requested, total_number_of_codes: total },
        });
        return 'COMPLETED' as const;
      });
      refreshCodeStatisticsSoon(ctx.database);
      if (outcome !== 'LOST') ctx.metrics.codesGenerated.inc({ mode: 'job' }, chunk);
      if (outcome === 'COMPLETED') ctx.metrics.generationDuration.observe({ mode: 'job' }, Math.max(0, ctx.clock.now() - Number(job.created_at)) / 1000);
      if (outcome !== 'CONTINUE') return outcome;
    } catch (err) {
      if (!(err instanceof ProgramClosedError)) throw err;
      // Canceled (or capped) while running: stop here. Committed chunks stay, and stay counted.
      await failBackgroundJob(db, id, holder, ctx.clock.now());
      return 'FAILED';
    }
  }
}

/** Claims and runs background generations until none is left (or the process stops). */
export function generationJobsWorker(holder: string, pollMs: number): Worker {
  return drainWorker('generation-jobs', pollMs, (ctx, signal) =>
    // A background job shares the process-wide generation slots with inline batches (it waits
    // its turn, never refused): together they stay within GENERATION_CONCURRENCY.
    workGates(ctx).generation.perProcess.run(async () => {
      const id = await claimBackgroundJob(ctx.database.db, holder, ctx.clock.now(), ctx.config.generationLeaseSeconds * 1000);
      if (id) await runGenerationJob(ctx, id, holder, signal);
      return id !== undefined;
    }),
  );
}
