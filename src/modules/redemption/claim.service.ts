import type { AppContext } from '../../context.js';
import { isUniqueViolation } from '../../db/database.js';
import { isWellFormedCode, normalizeCode } from '../../lib/codes.js';
import { AppError } from '../../lib/errors.js';
import { randomBytes } from '../../lib/random.js';
import type { RiderPrincipal } from '../access/rider-access.js';
import { recordEvent } from '../webhooks/outbox.js';
import { assertRiderBudget, chargeClaimFailure, type BudgetBucket } from './claim-budget.js';
import { alreadyClaimedProgram, claimRefusal, notFound } from './claim.decision.js';
import { CLAIM_COUNTER_SHARDS, claimInOneStatement } from './claim-statement.repository.js';
import { findClaimTarget, incrementClaimCount, insertVoucher, lastClaimedAt, riderClaimedProgramAt, takeRedemptionSlot, type ClaimTarget } from './claim.repository.js';

export interface ClaimResult {
  voucher_id: string;
  program_id: string;
}

/** Where a claim comes from: the built-in /redeem page budgets its failures per client address. */
export interface ClaimOrigin {
  pageAddress?: string;
}

/**
 * Redeem a code for a rider (POST /v1.2/me/vouchers/redeem, and the /redeem page).
 *
 * 1. Normalize; a code failing its length, alphabet or check symbol is refused before any
 *    database query (docs/code-format.md).
 * 1b. PostgreSQL: try the whole successful claim as one statement (claim-statement.repository.ts);
 *    when it claims nothing, nothing was written and the steps below decide and explain.
 * 2. Read the code and its program to refuse early and to know the program's budget.
 * 3. The rider's own failed-claim budget: spent → 429, even for a valid code.
 * 4. One transaction: the conditional UPDATE decides the claim; the voucher row (unique per
 *    program and rider), the program's claim counter and the outbox event commit with it.
 * 5. A refusal is charged atomically to the rider and to the shared budgets (claim-budget.ts);
 *    a spent shared budget turns the refusal into 429. Losing a race for a code that was
 *    claimable when this request arrived is contention, not guessing, and charges nothing.
 * The answer never says more than whether the code exists for this rider (claim.decision.ts).
 */
export function claimVoucher(ctx: AppContext, rider: RiderPrincipal, codeInput: string, origin: ClaimOrigin = {}): Promise<ClaimResult> {
  return ctx.metrics.outcome(ctx.metrics.claims, 'claimed', () => claim(ctx, rider, codeInput, origin));
}

async function claim(ctx: AppContext, rider: RiderPrincipal, codeInput: string, origin: ClaimOrigin): Promise<ClaimResult> {
  const codeText = normalizeCode(codeInput);
  if (!isWellFormedCode(codeText)) throw notFound();
  const now = ctx.clock.now();
  if (ctx.database.dialect === 'postgres') {
    // The success path in one round trip; anything else falls through to the general path below,
    // which explains the refusal and charges budget.
    const fast = await claimByOneStatement(ctx, rider, codeText, now).catch((err: unknown) => {
      if (isUniqueViolation(err)) return undefined; // a concurrent claim of the program by the rider: refused below
      throw err;
    });
    if (fast) return fast;
  }
  return claimByGeneralPath(ctx, rider, codeText, now, origin);
}

/**
 * Step 1b alone (PostgreSQL): the claim in one statement (claim-statement.repository.ts), or
 * undefined when it would not succeed (nothing written then). Exported, like the general path, for
 * the differential test.
 */
export async function claimByOneStatement(ctx: AppContext, rider: RiderPrincipal, codeText: string, now: number): Promise<ClaimResult | undefined> {
  const voucherId = ctx.ids.next();
  const programId = await claimInOneStatement(ctx.database.db, {
    codeText,
    now,
    // A first-party client's riders claim only its organization's codes (claim.decision.ts); one
    // without an organization claims nothing ('' matches no organization id).
    organizationId: rider.clientKind === 'FIRST_PARTY' ? (rider.clientOrganizationId ?? '') : null,
    userId: rider.userId,
    clientId: rider.clientId,
    riderBucket: `rider:${rider.userId}`,
    failuresSince: now - ctx.config.claimFailureWindowSeconds * 1000,
    failuresPerRider: ctx.config.claimFailuresPerRider,
    voucherId,
    eventId: ctx.ids.next(),
    shard: randomBytes(ctx.random, 1)[0]! % CLAIM_COUNTER_SHARDS,
  });
  return programId === undefined ? undefined : { voucher_id: voucherId, program_id: programId };
}

/**
 * Steps 2–5 alone: what every engine runs when the one-statement path (PostgreSQL) claims nothing.
 * Exported so the differential test (test/http/redemption/claim-paths.test.ts) can hold both paths
 * to the same outcomes on the same fixtures.
 */
export async function claimByGeneralPath(ctx: AppContext, rider: RiderPrincipal, codeText: string, now: number, origin: ClaimOrigin = {}): Promise<ClaimResult> {
  const target = await findClaimTarget(ctx.database.db, codeText);
  const refusal = claimRefusal(target, rider, now);
  // A program is charged only for refusals that may name it (not for a 404, which must not).
  const visibleProgram = target && refusal?.kind !== 'not_found' ? target : undefined;
  const buckets: BudgetBucket[] = [
    { kind: 'rider', id: rider.userId },
    origin.pageAddress !== undefined ? { kind: 'address', id: origin.pageAddress } : { kind: 'client', id: rider.clientId },
    ...(visibleProgram ? [{ kind: 'program' as const, id: visibleProgram.program_id }] : []),
  ];
  await assertRiderBudget(ctx, rider.userId);
  try {
    if (refusal) {
      if (target && isUsedUp(refusal) && (await lastClaimedAt(ctx.database.db, target.code_id)) >= now - CONTENTION_GRACE_MS) throw new Contention(refusal);
      throw refusal;
    }
    return await claimInTransaction(ctx, rider, target!, codeText, now);
  } catch (err) {
    if (err instanceof Contention) throw err.refusal;
    if (err instanceof AppError && err.status < 500) await chargeClaimFailure(ctx, buckets);
    throw err;
  }
}

/**
 * A code claimed this recently before the request read it was, in all likelihood, still claimable
 * when the request was sent: the request lost a race (e.g. to the one-statement path of another
 * request) and is answered without being charged.
 */
const CONTENTION_GRACE_MS = 1000;

/** A refusal caused by a concurrent claim (the code was claimable when the request arrived). */
class Contention extends Error {
  constructor(readonly refusal: AppError) {
    super(refusal.message);
  }
}

function isUsedUp(refusal: AppError): boolean {
  return (refusal.kind === 'code_already_redeemed' && refusal.messageKey !== 'program_already_claimed') || refusal.kind === 'redeem_count_exceeded';
}

class ClaimLost extends Error {}

async function claimInTransaction(ctx: AppContext, rider: RiderPrincipal, target: ClaimTarget, codeText: string, now: number): Promise<ClaimResult> {
  const voucherId = ctx.ids.next();
  try {
    await ctx.database.db.transaction().execute(async (trx) => {
      const count = await takeRedemptionSlot(trx, target.code_id, now);
      if (count === undefined) throw new ClaimLost();
      await insertVoucher(trx, {
        id: voucherId,
        program_id: target.program_id,
        organization_id: target.organization_id,
        code_id: target.code_id,
        user_id: rider.userId,
        client_id: rider.clientId,
        created_at: now,
      });
      const claims = await incrementClaimCount(trx, target.program_id, now);
      await recordEvent(ctx, trx, {
        eventType: 'voucher_program_code_claimed',
        organizationId: target.organization_id,
        voucherProgramId: target.program_id,
        data: { voucher_id: voucherId, code_id: target.code_id, redemption_count: count, usage_voucher_claim_count: claims },
      });
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      // The rider holds a voucher of the program: a concurrent claim of their own (contention,
      // charged nothing) when it is that recent, otherwise an ordinary refusal.
      const heldSince = await riderClaimedProgramAt(ctx.database.db, target.program_id, rider.userId);
      const refusal = alreadyClaimedProgram();
      throw heldSince !== undefined && heldSince >= now - CONTENTION_GRACE_MS ? new Contention(refusal) : refusal;
    }
    if (err instanceof ClaimLost) {
      // Lost the race (or the state changed since the read): explain with the state as it is now.
      // Losing a slot to a concurrent claim is contention; any other change is an ordinary refusal.
      const fresh = await findClaimTarget(ctx.database.db, codeText);
      const refusal = claimRefusal(fresh, rider, ctx.clock.now()) ?? notFound();
      throw isUsedUp(refusal) ? new Contention(refusal) : refusal;
    }
    throw err;
  }
  return { voucher_id: voucherId, program_id: target.program_id };
}
