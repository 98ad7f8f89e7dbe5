import type { ProgramRow } from './program.repository.js';

export type ProgramStatus = 'UPCOMING' | 'ACTIVE' | 'COMPLETE' | 'CANCELED';

/** docs/programs.md: derived from the clock, so it is right without a scheduler. CANCELED is terminal. */
export function programStatus(program: Pick<ProgramRow, 'canceled_at' | 'starts_at' | 'ends_at'>, now: number): ProgramStatus {
  if (program.canceled_at !== null) return 'CANCELED';
  if (now < program.starts_at) return 'UPCOMING';
  if (now >= program.ends_at) return 'COMPLETE';
  return 'ACTIVE';
}
