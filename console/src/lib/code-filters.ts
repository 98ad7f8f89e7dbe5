/**
 * The codes table's filters (docs/console.md, Program page), all applied by the API
 * (`status`, `generation_id`, `code` on GET …/codes): this turns them into the query of one page.
 */
export type CodeStatusFilter = 'ALL' | 'AVAILABLE' | 'REDEEMED' | 'CANCELED';

export interface CodeFilters {
  status: CodeStatusFilter;
  /** '' for every generation. */
  generation: string;
  /** The code text searched for, as typed; '' for none. */
  code: string;
}

export const NO_CODE_FILTERS: CodeFilters = { status: 'ALL', generation: '', code: '' };

export interface CodesQuery {
  limit: number;
  page_token?: string;
  status?: Exclude<CodeStatusFilter, 'ALL'>;
  generation_id?: string;
  code?: string;
}

export function codesQuery(filters: CodeFilters, limit: number, pageToken?: string): CodesQuery {
  const code = filters.code.trim();
  return {
    limit,
    ...(pageToken ? { page_token: pageToken } : {}),
    ...(filters.status !== 'ALL' ? { status: filters.status } : {}),
    ...(filters.generation !== '' ? { generation_id: filters.generation } : {}),
    ...(code !== '' ? { code } : {}),
  };
}

export interface SeenGeneration {
  id: string;
  /** created_at of the earliest code seen from it (epoch ms). */
  firstCodeAt: number;
}

/**
 * The generations the table can offer as a filter: those of every code seen so far, oldest first.
 * The API lists no generations, so the choice grows as pages are read (every code carries its own).
 */
export function addSeenGenerations(seen: readonly SeenGeneration[], codes: readonly { generation_id: string | null; created_at: number }[]): SeenGeneration[] {
  const byId = new Map(seen.map((g) => [g.id, g.firstCodeAt]));
  let changed = false;
  for (const code of codes) {
    if (code.generation_id === null) continue;
    const known = byId.get(code.generation_id);
    if (known === undefined || code.created_at < known) {
      byId.set(code.generation_id, code.created_at);
      changed = true;
    }
  }
  if (!changed) return seen as SeenGeneration[];
  return [...byId].map(([id, firstCodeAt]) => ({ id, firstCodeAt })).sort((a, b) => a.firstCodeAt - b.firstCodeAt || a.id.localeCompare(b.id));
}
