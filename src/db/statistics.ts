import { sql } from 'kysely';
import type { Database } from './database.js';

const MIN_INTERVAL_MS = 10_000;
const lastRun = new WeakMap<Database, number>();

/**
 * After a large batch, PostgreSQL's planner may not yet know the codes table grew (autovacuum
 * analyzes later): with stale statistics it sorts a whole program per listing page instead of
 * walking the (program_id, id) index (measured: 80 ms per 2,000-row page at 100k rows, bench G5).
 * So big batches schedule an ANALYZE of the table, off the request path and at most every 10 s per
 * process. SQLite's planner needs no statistics for this query.
 */
export function refreshCodeStatisticsSoon(database: Database, onError: (err: unknown) => void = () => undefined): void {
  if (database.dialect !== 'postgres') return;
  const now = performance.now();
  if (now - (lastRun.get(database) ?? -Infinity) < MIN_INTERVAL_MS) return;
  lastRun.set(database, now);
  setImmediate(() => {
    sql`analyze voucher_codes`.execute(database.db).catch(onError);
  });
}

export const LARGE_BATCH = 5_000;
