import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../../db/database.js';
import { keysetPage, type KeysetPage } from '../../db/keyset-page.js';
import type { DB, ProgramGuestsTable, VoucherCodesTable } from '../../db/schema.js';
import { CODE_SUMMARY_COLUMNS, type CodeSummaryColumn } from '../codes/code.repository.js';

export async function findGuestsByContact(
  db: Kysely<DB>,
  programId: string,
  emails: string[],
  phones: string[],
): Promise<{ email: string | null; phone: string | null }[]> {
  if (emails.length === 0 && phones.length === 0) return [];
  return db
    .selectFrom('program_guests')
    .select(['email', 'phone'])
    .where('program_id', '=', programId)
    .where((eb) =>
      eb.or([
        ...(emails.length ? [eb('email', 'in', emails)] : []),
        ...(phones.length ? [eb('phone', 'in', phones)] : []),
      ]),
    )
    .execute();
}

/**
 * Up to `count` codes of the program nobody holds yet: not canceled, not used up, bound to no
 * guest. On PostgreSQL the rows are locked and locked ones skipped, so two concurrent add-guests
 * take disjoint codes; SQLite write transactions are serialized. The unique index on
 * `program_guests.code_id` is the final guard either way.
 */
export async function pickUnassignedCodes(
  database: Database,
  trx: Kysely<DB>,
  input: { organizationId: string; programId: string; count: number },
): Promise<string[]> {
  if (input.count === 0) return [];
  const rows = await sql<{ id: string }>`
    select c.id from voucher_codes c
    where c.organization_id = ${input.organizationId} and c.program_id = ${input.programId}
      and c.canceled_at is null and c.redemption_count < c.max_num_redemptions
      and not exists (select 1 from program_guests g where g.code_id = c.id)
    order by c.id
    limit ${input.count}
    ${database.dialect === 'postgres' ? sql`for update of c skip locked` : sql``}`.execute(trx);
  return rows.rows.map((r) => r.id);
}

export async function insertGuests(db: Kysely<DB>, rows: Insertable<ProgramGuestsTable>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('program_guests').values(rows.slice(i, i + 500)).execute();
}

const GUEST_COLUMNS = ['id', 'email', 'phone', 'code_id', 'created_at', 'distributed_at'] as const;

/** A guest with the summary of its code (CODE_SUMMARY_COLUMNS): all null for a guest without a code (left join). */
export type GuestListRow = Pick<Selectable<ProgramGuestsTable>, (typeof GUEST_COLUMNS)[number]> & {
  [K in CodeSummaryColumn]: Selectable<VoucherCodesTable>[K] | null;
};

/** One keyset page of a program's guests with their codes. */
export async function listGuestPage(
  db: Kysely<DB>,
  input: { organizationId: string; programId: string } & KeysetPage,
): Promise<GuestListRow[]> {
  const query = db
    .selectFrom('program_guests as g')
    .leftJoin('voucher_codes as c', 'c.id', 'g.code_id')
    .select([...GUEST_COLUMNS.map((column) => `g.${column}` as const), ...CODE_SUMMARY_COLUMNS.map((column) => `c.${column}` as const)])
    .where('g.organization_id', '=', input.organizationId)
    .where('g.program_id', '=', input.programId);
  return keysetPage(query, 'g.id', input).execute() as Promise<GuestListRow[]>;
}

/**
 * Marks undistributed guests as distributed in one conditional UPDATE and returns them (docs/programs.md).
 * MULTI_CODE: only guests holding a live code, optionally only the listed codes. SINGLE_CODE: every
 * guest (they share the program's one code).
 */
export async function markGuestsDistributed(
  db: Kysely<DB>,
  input: { organizationId: string; programId: string; now: number; multiCode: boolean; codeIds?: string[]; guestIds?: string[] },
): Promise<{ id: string; email: string | null; phone: string | null; code_id: string | null }[]> {
  let query = db
    .updateTable('program_guests')
    .set({ distributed_at: input.now })
    .where('organization_id', '=', input.organizationId)
    .where('program_id', '=', input.programId)
    .where('distributed_at', 'is', null);
  if (input.guestIds) query = query.where('id', 'in', input.guestIds);
  if (input.multiCode) {
    query = query.where('code_id', 'in', (eb) => {
      let codes = eb
        .selectFrom('voucher_codes')
        .select('id')
        .where('program_id', '=', input.programId)
        .where('canceled_at', 'is', null);
      if (input.codeIds) codes = codes.where('id', 'in', input.codeIds);
      return codes;
    });
  }
  return query.returning(['id', 'email', 'phone', 'code_id']).execute();
}
