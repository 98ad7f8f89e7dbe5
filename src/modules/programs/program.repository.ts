import { sql, type ExpressionBuilder, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import { preparedQuery } from '../../db/prepared.js';
import type { DB, VoucherProgramsTable } from '../../db/schema.js';

export type ProgramRow = Selectable<VoucherProgramsTable>;

export async function insertProgram(db: Kysely<DB>, row: Insertable<VoucherProgramsTable>): Promise<void> {
  await db.insertInto('voucher_programs').values(row).execute();
}

/**
 * Programs with what their counter shards (0009) hold: `usage_voucher_claim_count` is the column
 * plus the shards, summed in the same statement and folded in by `withShardedClaims`.
 */
/**
 * "The program is ACTIVE at `now`" in SQL: not canceled, started, not ended. The one predicate of
 * the query builder (search, the claim's conditional write); program.status.ts is its TypeScript
 * form, and the one-statement claim (claim-statement.repository.ts) spells it in raw SQL, held
 * equal by test/http/redemption/claim-paths.test.ts.
 */
export function programActiveAt(now: number) {
  return (eb: ExpressionBuilder<DB, 'voucher_programs'>) =>
    eb.and([eb('voucher_programs.canceled_at', 'is', null), eb('voucher_programs.starts_at', '<=', now), eb('voucher_programs.ends_at', '>', now)]);
}

function programsWithShards(db: Kysely<DB>) {
  return db
    .selectFrom('voucher_programs')
    .selectAll()
    .select((eb) =>
      eb
        .selectFrom('program_claim_shards')
        .select((s) => s.fn.coalesce(s.fn.sum<number>('program_claim_shards.claims'), s.lit(0)).as('n'))
        .whereRef('program_claim_shards.program_id', '=', 'voucher_programs.id')
        .as('sharded_claims'),
    );
}

function withShardedClaims({ sharded_claims, ...program }: ProgramRow & { sharded_claims: number | null }): ProgramRow {
  return { ...program, usage_voucher_claim_count: Number(program.usage_voucher_claim_count) + Number(sharded_claims ?? 0) };
}

const programById = preparedQuery((db: Kysely<DB>, organizationId: string, programId: string) =>
  programsWithShards(db)
    .where('organization_id', '=', organizationId)
    .where('id', '=', programId),
);

/**
 * Every lookup names the organization: a program of another org is simply not found (docs/oauth.md
 * step 6). `usage_voucher_claim_count` is the column plus the program's counter shards (0009).
 */
export async function findProgram(db: Kysely<DB>, organizationId: string, programId: string): Promise<ProgramRow | undefined> {
  const row = (await programById(db, organizationId, programId))[0];
  return row ? withShardedClaims(row) : undefined;
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

export type ProgramUpdate = Omit<Updateable<VoucherProgramsTable>, 'id' | 'organization_id' | 'created_at'>;

/**
 * Optimistic update: applies only if nobody changed the program since it was read (its
 * `updated_at` is unchanged) and it is not canceled. False when the caller must re-read.
 */
export async function updateProgramIfUnchanged(
  db: Kysely<DB>,
  program: Pick<ProgramRow, 'id' | 'organization_id' | 'updated_at'>,
  changes: ProgramUpdate,
): Promise<boolean> {
  const result = await db
    .updateTable('voucher_programs')
    .set(changes)
    .where('organization_id', '=', program.organization_id)
    .where('id', '=', program.id)
    .where('updated_at', '=', program.updated_at)
    .where('canceled_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Cancels once: the conditional update decides which request did it (docs/programs.md, idempotent cancel). */
export async function markProgramCanceled(db: Kysely<DB>, organizationId: string, programId: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('voucher_programs')
    .set({ canceled_at: now, updated_at: now })
    .where('organization_id', '=', organizationId)
    .where('id', '=', programId)
    .where('canceled_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export type SearchStatus = 'UPCOMING' | 'ACTIVE' | 'COMPLETE' | 'CANCELED';

/** One page of an org's programs, newest first, optionally by computed status (docs/programs.md Search). */
export async function searchPrograms(
  db: Kysely<DB>,
  input: { organizationId: string; status?: SearchStatus; nameContains?: string; now: number; limit: number; offset: number },
): Promise<ProgramRow[]> {
  let query = programsWithShards(db).where('organization_id', '=', input.organizationId);
  const { now } = input;
  switch (input.status) {
    case 'CANCELED':
      query = query.where('canceled_at', 'is not', null);
      break;
    case 'UPCOMING':
      query = query.where('canceled_at', 'is', null).where('starts_at', '>', now);
      break;
    case 'ACTIVE':
      query = query.where(programActiveAt(now));
      break;
    case 'COMPLETE':
      query = query.where('canceled_at', 'is', null).where('ends_at', '<=', now);
      break;
  }
  if (input.nameContains !== undefined) {
    // Case-insensitive substring; the user's % and _ are literal characters.
    const pattern = `%${input.nameContains.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where(sql<boolean>`lower(name) like ${pattern} escape '\\'`);
  }
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(input.limit).offset(input.offset).execute();
  return rows.map(withShardedClaims);
}
