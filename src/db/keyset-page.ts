import type { OperandValueExpressionOrList, SelectQueryBuilder, StringReference } from 'kysely';

/** Where a keyset page starts: after the row with `afterId` (none: the first page), and its size. */
export interface KeysetPage {
  afterId?: string;
  limit: number;
}

/**
 * One keyset page of a listing in `id` order (ids are time-ordered UUIDv7): at most `limit` rows
 * whose id follows `afterId`. A listing's page token carries the last id of the page before, so a
 * page reads only its own rows through the index, however deep it is.
 */
export function keysetPage<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>, id: StringReference<DB, TB>, page: KeysetPage) {
  // Every id column is text; through a generic reference Kysely cannot see that, hence the cast.
  const afterId = page.afterId as OperandValueExpressionOrList<DB, TB, typeof id>;
  const after = page.afterId === undefined ? query : query.where(id, '>', afterId);
  return after.orderBy(id).limit(page.limit);
}
