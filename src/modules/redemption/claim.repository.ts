import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { programActiveAt } from '../programs/program.repository.js';

/** What a claim decision needs to know about a code and its program. */
export interface ClaimTarget {
  code_id: string;
  program_id: string;
  organization_id: string;
  max_num_redemptions: number;
  redemption_count: number;
  code_canceled_at: number | null;
  code_scheme: string;
  program_canceled_at: number | null;
  starts_at: number;
  ends_at: number;
}

export async function findClaimTarget(db: Kysely<DB>, codeText: string): Promise<ClaimTarget | undefined> {
  const row = await db
    .selectFrom('voucher_codes as c')
    .innerJoin('voucher_programs as p', 'p.id', 'c.program_id')
    .select([
      'c.id as code_id',
      'c.program_id',
      'c.organization_id',
      'c.max_num_redemptions',
      'c.redemption_count',
      'c.canceled_at as code_canceled_at',
      'p.code_scheme',
      'p.canceled_at as program_canceled_at',
      'p.starts_at',
      'p.ends_at',
    ])
    .where('c.code_text', '=', codeText)
    .executeTakeFirst();
  return row ? { ...row, redemption_count: Number(row.redemption_count) } : undefined;
}

/**
 * The one conditional write that decides a claim (docs/redemption.md "exactly once"): takes a redemption
 * slot only while the code is not canceled, has slots left and its program is ACTIVE. Concurrent
 * claims serialize on the row (PostgreSQL re-checks the WHERE after the winner commits; SQLite
 * write transactions are serialized), so N claims of a single-redeem code yield one row here.
 */
export async function takeRedemptionSlot(db: Kysely<DB>, codeId: string, now: number): Promise<number | undefined> {
  const row = await db
    .updateTable('voucher_codes')
    .set((eb) => ({ redemption_count: eb('redemption_count', '+', 1) }))
    .where('id', '=', codeId)
    .where('canceled_at', 'is', null)
    .where((eb) => eb('redemption_count', '<', eb.ref('max_num_redemptions')))
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('voucher_programs')
          .select('voucher_programs.id')
          .whereRef('voucher_programs.id', '=', 'voucher_codes.program_id')
          .where(programActiveAt(now)),
      ),
    )
    .returning('redemption_count')
    .executeTakeFirst();
  return row ? Number(row.redemption_count) : undefined;
}

export async function insertVoucher(
  db: Kysely<DB>,
  row: { id: string; program_id: string; organization_id: string; code_id: string; user_id: string; client_id: string; created_at: number },
): Promise<void> {
  await db
    .insertInto('vouchers')
    .values({ ...row, updated_at: row.created_at })
    .execute();
}

export async function incrementClaimCount(db: Kysely<DB>, programId: string, now: number): Promise<number> {
  const row = await db
    .updateTable('voucher_programs')
    .set((eb) => ({ usage_voucher_claim_count: eb('usage_voucher_claim_count', '+', 1), updated_at: now }))
    .where('id', '=', programId)
    .returning('usage_voucher_claim_count')
    .executeTakeFirstOrThrow();
  // The count is the column plus the counter shards the one-statement claim writes (0009).
  const shards = await db
    .selectFrom('program_claim_shards')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('claims'), eb.lit(0)).as('n'))
    .where('program_id', '=', programId)
    .executeTakeFirstOrThrow();
  return Number(row.usage_voucher_claim_count) + Number(shards.n);
}

/** When the code was last claimed (its newest voucher), or -1 when never. */
export async function lastClaimedAt(db: Kysely<DB>, codeId: string): Promise<number> {
  const row = await db
    .selectFrom('vouchers')
    .select((eb) => eb.fn.max('created_at').as('at'))
    .where('code_id', '=', codeId)
    .executeTakeFirst();
  return row?.at === null || row?.at === undefined ? -1 : Number(row.at);
}

/** When the rider claimed their voucher of the program, or undefined when they hold none. */
export async function riderClaimedProgramAt(db: Kysely<DB>, programId: string, userId: string): Promise<number | undefined> {
  const row = await db.selectFrom('vouchers').select('created_at').where('program_id', '=', programId).where('user_id', '=', userId).executeTakeFirst();
  return row ? Number(row.created_at) : undefined;
}
