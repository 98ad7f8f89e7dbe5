import { Readable } from 'node:stream';
import type { AppContext } from '../../context.js';
import { disableSortForTransaction, listCodePage, type CodeFilter, type CodeListRow } from './code.repository.js';
import { codeFilterKey } from './code-filter.js';
import { CSV_COLUMNS, codeToCsvLine, codeToWire, type CodeViewOptions } from './code.view.js';
import { encodePageToken } from './page-token.js';
import { workGates } from './work-gates.js';
import { requireProgram } from '../programs/program.service.js';

/** Rows fetched per round trip while streaming: bounds memory whatever the program's size. */
export const STREAM_CHUNK = 5000;
/**
 * SQLite reads a page in-process in microseconds, so it streams smaller pages: each page's rows then
 * die young instead of being promoted to the old generation, which kept a server that had just
 * streamed a 1,000,000-code program several times at ~270 MiB peak RSS (bench G5).
 */
export const SQLITE_STREAM_CHUNK = 1000;

function streamChunk(ctx: AppContext): number {
  return ctx.database.dialect === 'sqlite' ? SQLITE_STREAM_CHUNK : STREAM_CHUNK;
}

interface ListingInput {
  organizationId: string;
  programId: string;
  total: number;
  view: CodeViewOptions;
  filter?: CodeFilter;
}

type PageInput = Parameters<typeof listCodePage>[1];

/** What listing a program's codes needs of the program: its ids, code count and currency; a 404 when it is not the organization's. */
export async function codeListingOf(
  ctx: AppContext,
  input: { organizationId: string; programId: string; includeUsage: boolean; filter?: CodeFilter },
): Promise<ListingInput> {
  const program = await requireProgram(ctx, input.organizationId, input.programId);
  return {
    organizationId: program.organization_id,
    programId: program.id,
    total: Number(program.total_number_of_codes),
    view: { publicUrl: ctx.config.publicUrl, includeUsage: input.includeUsage, currencyCode: program.currency_code },
    ...(input.filter ? { filter: input.filter } : {}),
  };
}

/**
 * One keyset page. On PostgreSQL the page is read with sorting disabled for its transaction, so
 * the planner walks the (program_id, id) index in order. Right after a bulk generation the table
 * has no fresh statistics and the planner otherwise picks a bitmap scan of every code of the
 * program plus a sort, once per page (measured: 1,000,000-code CSV export 179 s → see bench/README.md).
 */
async function codePage(ctx: AppContext, input: PageInput): Promise<CodeListRow[]> {
  // A code text matches at most one row through its unique index: a sort of one row costs nothing,
  // and with sorting disabled the planner would walk every code of the program instead.
  if (ctx.database.dialect !== 'postgres' || input.filter?.codeText !== undefined) return listCodePage(ctx.database.db, input);
  return ctx.database.db.transaction().execute(async (trx) => {
    await disableSortForTransaction(trx);
    return listCodePage(trx, input);
  });
}

async function* keysetRows(ctx: AppContext, input: ListingInput): AsyncGenerator<CodeListRow[]> {
  const limit = streamChunk(ctx);
  let afterId: string | undefined;
  for (;;) {
    const rows = await codePage(ctx, {
      organizationId: input.organizationId,
      programId: input.programId,
      limit,
      ...(input.filter ? { filter: input.filter } : {}),
      ...(afterId ? { afterId } : {}),
    });
    if (rows.length > 0) yield rows;
    if (rows.length < limit) return;
    afterId = rows[rows.length - 1]!.id;
  }
}

/**
 * The whole code list as one JSON document (Uber parity: no paging parameters), streamed chunk by
 * chunk with constant memory (docs/programs.md).
 */
export function streamCodesJson(ctx: AppContext, input: ListingInput): Promise<Readable> {
  async function* body(): AsyncGenerator<string> {
    yield `{"total_number_of_codes":${input.total},"codes":[`;
    let first = true;
    for await (const rows of keysetRows(ctx, input)) {
      let chunk = '';
      for (const row of rows) {
        chunk += (first ? '' : ',') + JSON.stringify(codeToWire(row, input.view));
        first = false;
      }
      yield chunk;
    }
    yield ']}';
  }
  return gatedStream(ctx, input.organizationId, body);
}

/** The same list as CSV with a header row (X), streamed. */
export function streamCodesCsv(ctx: AppContext, input: ListingInput): Promise<Readable> {
  async function* body(): AsyncGenerator<string> {
    yield `${CSV_COLUMNS.join(',')}\r\n`;
    for await (const rows of keysetRows(ctx, input)) {
      let chunk = '';
      for (const row of rows) chunk += codeToCsvLine(row, input.view);
      yield chunk;
    }
  }
  return gatedStream(ctx, input.organizationId, body);
}

/**
 * A full export holds one export slot (docs/limits.md, Concurrency) from before its first row is
 * read until its stream closes — finished, failed, or cut by the client; past the queues: 429.
 */
async function gatedStream(ctx: AppContext, organizationId: string, body: () => AsyncGenerator<string>): Promise<Readable> {
  const release = await workGates(ctx).export.enter(organizationId);
  const stream = Readable.from(body(), { objectMode: false });
  stream.once('close', release);
  return stream;
}

/**
 * One page (X): `limit` codes after the cursor that pass the filter, and `next_page_token` (bound to
 * that filter) when more may follow.
 */
export async function listCodesPage(
  ctx: AppContext,
  input: ListingInput & { afterId?: string; limit: number },
): Promise<{ total_number_of_codes: number; codes: Record<string, unknown>[]; next_page_token?: string }> {
  const rows = await codePage(ctx, {
    organizationId: input.organizationId,
    programId: input.programId,
    limit: input.limit + 1,
    ...(input.filter ? { filter: input.filter } : {}),
    ...(input.afterId ? { afterId: input.afterId } : {}),
  });
  const page = rows.slice(0, input.limit);
  const more = rows.length > input.limit;
  return {
    total_number_of_codes: input.total,
    codes: page.map((row) => codeToWire(row, input.view)),
    ...(more ? { next_page_token: encodePageToken(page[page.length - 1]!.id, codeFilterKey(input.filter ?? {})) } : {}),
  };
}
