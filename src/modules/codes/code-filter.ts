import { invalidRequest } from '../../lib/errors.js';
import { isUuid } from '../../lib/ids.js';
import { isWellFormedCode, normalizeCode } from '../../lib/codes.js';
import type { CodeFilter } from './code.repository.js';
import type { ListCodesQuery } from './codes.schemas.js';

/**
 * The filters of Get Voucher Codes (X, docs/programs.md) from its query. `status` arrives in its
 * canonical spelling (the enum walk); a malformed generation id or code text is a 400 naming it, so
 * a typo is not mistaken for "no such code".
 */
export function codeFilterFromQuery(query: Pick<ListCodesQuery, 'status' | 'generation_id' | 'code'>): CodeFilter {
  const filter: CodeFilter = {};
  // The schema admits only CODE_STATUSES (canonical after the enum walk).
  if (query.status !== undefined) filter.status = query.status as NonNullable<CodeFilter['status']>;
  if (query.generation_id !== undefined) {
    const id = query.generation_id.toLowerCase();
    if (!isUuid(id)) throw invalidRequest('field_invalid', { field: 'generation_id' }, 'generation_id');
    filter.generationId = id;
  }
  if (query.code !== undefined) {
    const code = normalizeCode(query.code);
    if (!isWellFormedCode(code)) throw invalidRequest('field_invalid', { field: 'code' }, 'code');
    filter.codeText = code;
  }
  return filter;
}

/** A canonical spelling of a filter, bound into page tokens: '' when nothing is filtered. */
export function codeFilterKey(filter: CodeFilter): string {
  const parts = [filter.status ?? '', filter.generationId ?? '', filter.codeText ?? ''];
  return parts.every((p) => p === '') ? '' : parts.join(',');
}
