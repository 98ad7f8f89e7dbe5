import type { Insertable, Kysely, Selectable } from 'kysely';
import { preparedQuery } from '../../db/prepared.js';
import type { DB, VoucherProgramsTable } from '../../db/schema.js';

export type ProgramRow = Selectable<VoucherProgramsTable>;

export async function insertProgram(db: Kysely<DB>, row: Insertable<VoucherProgramsTable>): Promise<void> {
  await db.insertInto('voucher_programs').values(row).execute();
}

const programById = preparedQuery((db: Kysely<DB>, organizationId: string, programId: string) =>
  db.selectFrom('voucher_programs').selectAll().where('organization_id', '=', organizationId).where('id', '=', programId),
);

/** Every lookup names the organization: a program of another org is simply not found (api.md §2.2 step 6). */
export async function findProgram(db: Kysely<DB>, organizationId: string, programId: string): Promise<ProgramRow | undefined> {
  return (await programById(db, organizationId, programId))[0];
}

/**
 * Adds `count` to the program's code total in the batch's transaction, only while the program is
 * not canceled and stays within `maxTotal`. Returns the new total, or undefined when refused.
 */
export async function addToCodeTotal(
  db: Kysely<DB>,
  programId: string,
  count: number,
  maxTotal: number,
  now: number,
): Promise<number | undefined> {
  const row = await db
    .updateTable('voucher_programs')
    .set((eb) => ({ total_number_of_codes: eb('total_number_of_codes', '+', count), updated_at: now }))
    .where('id', '=', programId)
    .where('canceled_at', 'is', null)
    .where((eb) => eb(eb('total_number_of_codes', '+', count), '<=', maxTotal))
    .returning('total_number_of_codes')
    .executeTakeFirst();
  return row ? Number(row.total_number_of_codes) : undefined;
}
