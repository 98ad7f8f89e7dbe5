import { CompiledQuery, type Kysely } from 'kysely';
import { nameStatement } from '../../db/named-statements.js';
import type { DB } from '../../db/schema.js';

/**
 * Counter rows per program (migration 0009). Measured on the 2-core development machine, 50
 * connections: ~1,260 autocommitted increments/s on one row, ~4,240/s over 8 rows, ~8,570/s
 * over 64 (bench/README.md "claims").
 */
export const CLAIM_COUNTER_SHARDS = 64;

/**
 * PostgreSQL: a successful claim decided and committed in ONE statement, one round trip (bench G3).
 *
 * A data-modifying CTE, autocommitted, so it is atomic like the transaction of the general path
 * (claimByGeneralPath in claim.service.ts): the conditional UPDATE takes the redemption slot
 * (docs/redemption.md "exactly once"; its WHERE is re-checked on the latest row version when
 * another claim got there first), the voucher row is inserted from its RETURNING (the unique index
 * `vouchers_one_per_rider` still refuses a second claim of the program by the rider: a 23505 aborts
 * the whole statement), one of the program's claim counter shards is incremented (0009: the count
 * is the program column plus its shards, so it equals the voucher rows at every commit, and
 * concurrent claims of one program do not queue on the program row) and the outbox event (built
 * with json_build_object, not by string concatenation) is written with the counters — all in the
 * same transaction (docs/webhooks.md), nothing of it visible unless all of it commits. The event's
 * usage_voucher_claim_count counts this claim and every claim committed before the statement began
 * (or on its shard before it): exact when claims do not overlap; under concurrency two events may
 * carry the same figure, never one above the true count.
 *
 * The statement only claims when the general path would succeed: the code exists and is not
 * canceled, has slots left, its program is ACTIVE, a first-party client's rider stays in its
 * organization, the rider has no voucher of the program yet, and the rider's own failed-claim
 * budget is not spent (claim-budget.ts: the shared client and program budgets throttle failures,
 * never a valid claim). Otherwise it
 * writes nothing and returns no row, and the caller runs the general path, which explains the
 * refusal and spends budget exactly as before. The success path thus costs the token lookup plus
 * this statement: 2 round trips instead of 8.
 */
const CLAIM_SQL = `
with target as (
  select c.id
  from voucher_codes c
  join voucher_programs p on p.id = c.program_id
  where c.code_text = $1
    and c.canceled_at is null
    and c.redemption_count < c.max_num_redemptions
    and p.canceled_at is null and p.starts_at <= $2::bigint and p.ends_at > $2::bigint
    and ($3::text is null or c.organization_id = $3::text)
    and not exists (select 1 from vouchers v where v.program_id = c.program_id and v.user_id = $4::text)
    and (select count(*) from claim_failures f where f.bucket = $5::text and f.created_at > $6::bigint) < $7::bigint
),
slot as (
  update voucher_codes c
  set redemption_count = c.redemption_count + 1
  from target t
  where c.id = t.id
    and c.canceled_at is null
    and c.redemption_count < c.max_num_redemptions
    and exists (
      select 1 from voucher_programs p
      where p.id = c.program_id and p.canceled_at is null and p.starts_at <= $2::bigint and p.ends_at > $2::bigint
    )
  returning c.id, c.program_id, c.organization_id, c.redemption_count
),
voucher as (
  insert into vouchers (id, program_id, organization_id, code_id, user_id, client_id, created_at, updated_at)
  select $8::text, s.program_id, s.organization_id, s.id, $4::text, $9::text, $2::bigint, $2::bigint
  from slot s
  returning program_id
),
counter as (
  insert into program_claim_shards (program_id, shard, claims)
  select v.program_id, $11::integer, 1 from voucher v
  on conflict (program_id, shard) do update set claims = program_claim_shards.claims + 1
  returning program_id, shard, claims
),
event as (
  insert into outbox_events (id, event_type, organization_id, voucher_program_id, payload, created_at, dispatched_at)
  select $10::text, 'voucher_program_code_claimed', s.organization_id, s.program_id,
    json_build_object(
      'voucher_id', $8::text,
      'code_id', s.id,
      'redemption_count', s.redemption_count,
      'usage_voucher_claim_count', (
        (select p.usage_voucher_claim_count from voucher_programs p where p.id = s.program_id)
        + coalesce((select sum(o.claims) from program_claim_shards o where o.program_id = s.program_id and o.shard <> k.shard), 0)
        + k.claims
      )::bigint
    )::text,
    $2::bigint, null
  from slot s
  join counter k on k.program_id = s.program_id
  returning id
)
select s.program_id from slot s, event e
`;

nameStatement(CLAIM_SQL);

/** The statement's arguments: what the caller decided (ids, the shard) and the limits in force. */
export interface OneStatementClaim {
  codeText: string;
  now: number;
  /** A first-party client's riders claim only this organization's codes; null: any organization. */
  organizationId: string | null;
  userId: string;
  clientId: string;
  /** The rider's failed-claim bucket, its window start and its limit (claim-budget.ts). */
  riderBucket: string;
  failuresSince: number;
  failuresPerRider: number;
  voucherId: string;
  eventId: string;
  /** Which of the CLAIM_COUNTER_SHARDS counter rows this claim increments. */
  shard: number;
}

/** The claim in one statement: the claimed program's id, or undefined when nothing was written. */
export async function claimInOneStatement(db: Kysely<DB>, claim: OneStatementClaim): Promise<string | undefined> {
  const result = await db.executeQuery<{ program_id: string }>(
    CompiledQuery.raw(CLAIM_SQL, [
      claim.codeText,
      claim.now,
      claim.organizationId,
      claim.userId,
      claim.riderBucket,
      claim.failuresSince,
      claim.failuresPerRider,
      claim.voucherId,
      claim.clientId,
      claim.eventId,
      claim.shard,
    ]),
  );
  return result.rows[0]?.program_id;
}
