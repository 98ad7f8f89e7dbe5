import type { AppContext } from '../../context.js';
import { AppError } from '../../lib/errors.js';
import { findProgram, type ProgramRow } from './program.repository.js';
import { programToWire, type ProgramView } from './program.view.js';

export interface CreatedProgram {
  voucher_program_id: string;
  code_text?: string;
  code_link?: string;
}

/** The stored program, for the services that build on it (routes get the wire view from getProgram). */
export async function requireProgram(ctx: AppContext, organizationId: string, programId: string): Promise<ProgramRow> {
  const program = await findProgram(ctx.database.db, organizationId, programId);
  if (!program) throw new AppError('not_found', 'program_not_found');
  return program;
}

/** Get Voucher Program: the program as the wire shows it now. */
export async function getProgram(ctx: AppContext, organizationId: string, programId: string): Promise<ProgramView> {
  return programToWire(await requireProgram(ctx, organizationId, programId), ctx.clock.now());
}
