import type { Readable } from 'node:stream';
import type { AppContext } from '../../context.js';
import { AppError } from '../../lib/errors.js';
import { randomToken, sha256Hex } from '../../lib/secrets.js';
import { requireProgram } from '../programs/program.service.js';
import { streamCodesCsv } from '../codes/code-listing.js';
import { consumeExportLink, findLiveExportLink, insertExportLink } from './export-link.repository.js';

/** A link is good for one download within this many milliseconds (docs/programs.md, Export links). */
export const EXPORT_LINK_TTL_MS = 60_000;

export interface ExportLink {
  url: string;
  expires_at: number;
}

/** Mints a one-use link to the program's codes CSV; the caller has passed the org access check. */
export async function createExportLink(ctx: AppContext, organizationId: string, programId: string): Promise<ExportLink> {
  const program = await requireProgram(ctx, organizationId, programId);
  const token = randomToken(ctx.random, 32);
  const now = ctx.clock.now();
  const expiresAt = now + EXPORT_LINK_TTL_MS;
  await insertExportLink(ctx.database.db, {
    tokenHash: sha256Hex(token),
    organizationId: program.organization_id,
    programId: program.id,
    expiresAt,
    createdAt: now,
  });
  return { url: `${ctx.config.publicUrl}/v1/code-exports/${token}`, expires_at: expiresAt };
}

/** A file name from the program's name: letters, digits, dot, dash and underscore only. */
function fileName(name: string, id: string): string {
  const slug = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80);
  return `${slug || id}-codes.csv`;
}

/**
 * Uses the link (once) and opens the program's codes CSV. Unknown, used and expired tokens all get
 * the same 404, so the answer says nothing about which it was.
 */
export async function openExportLink(ctx: AppContext, token: string): Promise<{ fileName: string; body: Readable }> {
  const hash = sha256Hex(token);
  const live = await findLiveExportLink(ctx.database.db, hash, ctx.clock.now());
  if (!live) throw new AppError('not_found', 'route_not_found');
  const program = await requireProgram(ctx, live.organization_id, live.program_id);
  // The export's turn first (a 429 there leaves the link usable), then the one use of the link.
  const body = await streamCodesCsv(ctx, {
    organizationId: program.organization_id,
    programId: program.id,
    total: Number(program.total_number_of_codes),
    view: { publicUrl: ctx.config.publicUrl, includeUsage: false, currencyCode: program.currency_code },
  });
  const link = await consumeExportLink(ctx.database.db, hash, ctx.clock.now());
  if (!link) {
    body.destroy();
    throw new AppError('not_found', 'route_not_found');
  }
  return { fileName: fileName(program.name, program.id), body };
}
