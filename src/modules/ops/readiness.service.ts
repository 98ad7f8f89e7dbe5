import type { AppContext } from '../../context.js';
import { isReadOnlySession, ping } from './health.repository.js';

/**
 * Whether this process can serve writes: `read_only` on a PostgreSQL standby (or a database set
 * read-only), which cannot serve claims or generation. Throws when the database does not answer.
 */
export async function databaseReadiness(ctx: AppContext): Promise<'ok' | 'read_only'> {
  if (ctx.database.dialect === 'postgres' && (await isReadOnlySession(ctx.database.db))) return 'read_only';
  if (ctx.database.dialect === 'sqlite') await ping(ctx.database.db);
  return 'ok';
}
