import type { AppContext } from '../../context.js';
import type { Worker } from '../../jobs/runner.js';
import { sweepWorker } from '../../jobs/sweep-worker.js';
import { deleteExpiredExportLinks } from './export-link.repository.js';

const HOUR = 3_600_000;

/** Drops export links an hour after they expired (docs/programs.md, Export links). */
export async function cleanupExportLinks(ctx: AppContext): Promise<number> {
  return deleteExpiredExportLinks(ctx.database.db, ctx.clock.now() - HOUR);
}

export const exportLinkCleanupWorker: Worker = sweepWorker('export-link-cleanup', 10 * 60_000, cleanupExportLinks);
