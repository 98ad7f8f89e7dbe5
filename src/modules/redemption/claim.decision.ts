import { AppError } from '../../lib/errors.js';
import { programStatus } from '../programs/program.status.js';
import type { RiderPrincipal } from '../access/rider-access.js';
import type { ClaimTarget } from './claim.repository.js';

/**
 * Why a code cannot be claimed, or null when it can (docs/redemption.md). Everything that must not be
 * revealed — unknown code, canceled code, code of a canceled program, code of another
 * organization for an organization-bound rider app — answers the same 404.
 */
export function claimRefusal(target: ClaimTarget | undefined, rider: RiderPrincipal, now: number): AppError | null {
  if (!target || target.code_canceled_at !== null) return notFound();
  // A first-party client is bound to one organization (docs/oauth.md): its riders claim only its codes.
  if (rider.clientKind === 'FIRST_PARTY' && rider.clientOrganizationId !== target.organization_id) return notFound();
  const status = programStatus({ canceled_at: target.program_canceled_at, starts_at: target.starts_at, ends_at: target.ends_at }, now);
  if (status === 'CANCELED') return notFound();
  if (status !== 'ACTIVE') return new AppError('voucher_program_inactive', 'voucher_program_inactive');
  if (target.redemption_count >= target.max_num_redemptions) return usedUp(target);
  return null;
}

export function notFound(): AppError {
  return new AppError('not_found', 'code_not_found');
}

/** A single-redeem code already claimed → 409; a multi-redeem code used up → 400 (Uber's codes). */
export function usedUp(target: Pick<ClaimTarget, 'max_num_redemptions'>): AppError {
  return target.max_num_redemptions <= 1
    ? new AppError('code_already_redeemed', 'code_already_redeemed')
    : new AppError('redeem_count_exceeded', 'redeem_count_exceeded');
}

export function alreadyClaimedProgram(): AppError {
  return new AppError('code_already_redeemed', 'program_already_claimed');
}
