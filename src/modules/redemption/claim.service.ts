import type { AppContext } from '../../context.js';
import { isUniqueViolation } from '../../db/database.js';
import { isWellFormedCode, normalizeCode } from '../../lib/codes.js';
import { AppError } from '../../lib/errors.js';
import type { RiderPrincipal } from '../access/rider-access.js';
import { recordEvent } from '../webhooks/outbox.js';
import { assertClaimBudget, recordClaimFailure, type BudgetBucket } from './claim-budget.js';
import { alreadyClaimedProgram, claimRefusal, notFound } from './claim.decision.js';
import { claimInOneStatement } from './claim.statement.js';
import { findClaimTarget, incrementClaimCount, insertVoucher, takeRedemptionSlot, type ClaimTarget } from './claim.repository.js';

export interface ClaimResult {
  voucher_id: string;
  program_id: string;
}

/**
 * Redeem a code for a rider (api.md §7, POST /v1.2/me/vouchers/redeem).
 *
 * 1. Normalize; a code failing its length, alphabet or check symbol is refused before any
 *    database query (api.md §5.1).
 * 1b. PostgreSQL: try the whole successful claim as one statement (claim.statement.ts); when it
 *    claims nothing, nothing was written and the steps below decide and explain.
 * 2. Read the code and its program to refuse early and to know the program's budget.
 * 3. Failed-claim budgets of the client, the rider and (when it may be named) the program: 429
 *    when any is spent, checked in one query.
 * 4. One transaction: the conditional UPDATE decides the claim; the voucher row (unique per
 *    program and rider), the program's claim counter and the outbox event commit with it.
 * Every refusal spends budget; its answer never says more than api.md §7 allows.
 */
export function claimVoucher(ctx: AppContext, rider: RiderPrincipal, codeInput: string): Promise<ClaimResult> {
  return ctx.metrics.outcome(ctx.metrics.claims, 'claimed', () => claim(ctx, rider, codeInput));
}

async function claim(ctx: AppContext, rider: RiderPrincipal, codeInput: string): Promise<ClaimResult> {
  const codeText = normalizeCode(codeInput);
  if (!isWellFormedCode(codeText)) throw notFound();
  const now = ctx.clock.now();
  if (ctx.database.dialect === 'postgres') {
    // The success path in one round trip (claim.statement.ts); anything else falls through to the
    // general path below, which explains the refusal and spends budget.
    const fast = await claimInOneStatement(ctx, rider, codeText, now).catch((err: unknown) => {
      if (isUniqueViolation(err)) return undefined; // a concurrent claim of the program by the rider: refused below
      throw err;
    });
    if (fast) return fast;
  }
  const target = await findClaimTarget(ctx.database.db, codeText);
  const refusal = claimRefusal(target, rider, now);
  // A program is charged only for refusals that may name it (not for a 404, which must not).
  const visibleProgram = target && refusal?.kind !== 'not_found' ? target : undefined;
  const buckets: BudgetBucket[] = [
    { kind: 'client', id: rider.clientId },
    { kind: 'rider', id: rider.userId },
    ...(visibleProgram ? [{ kind: 'program' as const, id: visibleProgram.program_id }] : []),
  ];
  // One query checks every budget; past any of them even a valid code is refused.
  await assertClaimBudget(ctx, buckets);
  try {
    if (refusal) throw refusal;
    return await claimInTransaction(ctx, rider, target!, codeText, now);
  } catch (err) {
    if (err instanceof AppError && err.status < 500) await recordClaimFailure(ctx, buckets);
    throw err;
  }
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
    if (isUniqueViolation(err)) throw alreadyClaimedProgram();
    if (err instanceof ClaimLost) {
      // Lost the race (or the state changed since the read): explain with the state as it is now.
      const fresh = await findClaimTarget(ctx.database.db, codeText);
      throw claimRefusal(fresh, rider, ctx.clock.now()) ?? notFound();
    }
    throw err;
  }
  return { voucher_id: voucherId, program_id: target.program_id };
}
