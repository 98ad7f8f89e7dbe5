import type { AppContext } from '../../context.js';
import { AppError } from '../../lib/errors.js';
import { findProgram, type ProgramRow } from './program.repository.js';

export interface CreatedProgram {
  voucher_program_id: string;
  code_text?: string;
  code_link?: string;
}

export async function getProgram(ctx: AppContext, organizationId: string, programId: string): Promise<ProgramRow> {
  const program = await findProgram(ctx.database.db, organizationId, programId);
  if (!program) throw new AppError('not_found', 'program_not_found');
  return program;
}
