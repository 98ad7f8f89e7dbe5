import type { ExpressionBuilder, Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

export interface ExportLinkInsert {
  tokenHash: string;
  organizationId: string;
  programId: string;
  expiresAt: number;
  createdAt: number;
}

export async function insertExportLink(db: Kysely<DB>, link: ExportLinkInsert): Promise<void> {
  await db
    .insertInto('code_export_links')
    .values({
      token_hash: link.tokenHash,
      organization_id: link.organizationId,
      program_id: link.programId,
      expires_at: link.expiresAt,
      used_at: null,
      created_at: link.createdAt,
    })
    .execute();
}

/** The link of the token while it can still be used: not used yet, not expired at `now`. */
function liveLink(tokenHash: string, now: number) {
  return (eb: ExpressionBuilder<DB, 'code_export_links'>) =>
    eb.and([eb('token_hash', '=', tokenHash), eb('used_at', 'is', null), eb('expires_at', '>', now)]);
}

/** What a live link opens, without using it. */
export async function findLiveExportLink(db: Kysely<DB>, tokenHash: string, now: number): Promise<{ organization_id: string; program_id: string } | undefined> {
  return db.selectFrom('code_export_links').select(['organization_id', 'program_id']).where(liveLink(tokenHash, now)).executeTakeFirst();
}

/**
 * Uses a link at most once: one conditional UPDATE, so two downloads racing for the same token
 * cannot both win, and a used or expired token matches no row.
 */
export async function consumeExportLink(db: Kysely<DB>, tokenHash: string, now: number): Promise<{ organization_id: string; program_id: string } | undefined> {
  return db.updateTable('code_export_links').set({ used_at: now }).where(liveLink(tokenHash, now)).returning(['organization_id', 'program_id']).executeTakeFirst();
}

/** Deletes links that expired before `cutoff` (used or not): they can no longer open anything. */
export async function deleteExpiredExportLinks(db: Kysely<DB>, cutoff: number): Promise<number> {
  const result = await db.deleteFrom('code_export_links').where('expires_at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}
