import type { AppContext } from '../../context.js';
import type { UnitOfWork } from '../../db/unit-of-work.js';
import { DEFAULT_CODE_FORMAT } from '../../lib/codes.js';
import { LARGE_BATCH, refreshCodeStatisticsSoon } from '../../db/statistics.js';
import { insertProgram } from '../programs/program.repository.js';
import type { CreateProgramBody } from '../programs/program.schemas.js';
import type { CreatedProgram } from '../programs/program.service.js';
import { validateCreateProgram } from '../programs/program.validation.js';
import { recordEvent } from '../webhooks/outbox.js';
import { writeCodeBatch } from './batch-writer.js';
import { redemptionLink } from './code.view.js';
import { firstProgramCode } from './code.repository.js';
import { tryStartGeneration } from './generation.repository.js';
import { GATED_FIRST_BATCH, workGates } from './work-gates.js';

/**
 * Create Voucher Program (docs/programs.md). The program and its first batch (N codes for MULTI_CODE,
 * one multi-redeem code for SINGLE_CODE) commit together, in `work`'s transaction, through the same
 * batch writer Generate uses.
 */
export async function createProgram(
  ctx: AppContext,
  input: { organizationId: string; body: CreateProgramBody; clientId: string | null },
  work: UnitOfWork<CreatedProgram>,
): Promise<CreatedProgram> {
  const now = ctx.clock.now();
  const { row, numberOfCodes } = validateCreateProgram(input.body, now, ctx.config);
  // A large first batch is a code generation like any other (docs/limits.md, Concurrency).
  const release = numberOfCodes > GATED_FIRST_BATCH ? await workGates(ctx).generation.enter(input.organizationId) : undefined;
  try {
    return await insertProgramWithCodes(ctx, work, input, row, numberOfCodes, now);
  } finally {
    release?.();
  }
}

async function insertProgramWithCodes(
  ctx: AppContext,
  work: UnitOfWork<CreatedProgram>,
  input: { organizationId: string; clientId: string | null },
  row: ReturnType<typeof validateCreateProgram>['row'],
  numberOfCodes: number,
  now: number,
): Promise<CreatedProgram> {
  const programId = ctx.ids.next();
  const generationId = ctx.ids.next();
  const started = performance.now();
  const created = await work.transaction(async (trx) => {
    await insertProgram(trx, {
      ...row,
      id: programId,
      organization_id: input.organizationId,
      created_at: now,
      updated_at: now,
      total_number_of_codes: numberOfCodes,
      created_by_client_id: input.clientId,
    });
    await tryStartGeneration(trx, {
      id: generationId,
      program_id: programId,
      organization_id: input.organizationId,
      requested: numberOfCodes,
      generated: numberOfCodes,
      status: 'COMPLETED',
      lease_expires_at: now,
      created_at: now,
      finished_at: now,
      client_id: input.clientId,
    });
    await writeCodeBatch(ctx, trx, {
      programId,
      organizationId: input.organizationId,
      generationId,
      count: numberOfCodes,
      maxRedemptions: row.redemptions_per_code,
      format: { prefix: row.code_prefix ?? DEFAULT_CODE_FORMAT.prefix, length: row.code_length ?? DEFAULT_CODE_FORMAT.length },
    });
    await recordEvent(ctx, trx, {
      eventType: 'voucher_program_created',
      organizationId: input.organizationId,
      voucherProgramId: programId,
      data: { total_number_of_codes: numberOfCodes, code_scheme: row.code_scheme },
    });
    // SINGLE_CODE: its one code. MULTI_CODE: its first code too, for integrations that create one
    // program per person and hand out the code of the create answer (docs/compatibility.md).
    const codeText = await firstProgramCode(trx, programId);
    return { voucher_program_id: programId, code_text: codeText, code_link: redemptionLink(ctx.config.publicUrl, codeText) };
  });
  if (numberOfCodes >= LARGE_BATCH) refreshCodeStatisticsSoon(ctx.database);
  // The program's first batch is a generation too (committed before the response).
  ctx.metrics.codesGenerated.inc({ mode: 'sync' }, numberOfCodes);
  ctx.metrics.generationDuration.observe({ mode: 'sync' }, (performance.now() - started) / 1000);
  return created;
}
