import type { AppContext } from '../../context.js';
import { AppError } from '../../lib/errors.js';
import { findMembershipRole } from '../orgs/org.repository.js';
import { SCOPES } from '../oauth/scopes.js';
import type { Principal } from '../oauth/token.service.js';
import { hasAuthorization } from './authorization.repository.js';
import { insufficientScope } from '../../http/www-authenticate.js';

/** How a principal may reach an organization's Vouchers API (docs/oauth.md table). */
export type AccessPath = 'first_party' | 'delegated' | 'aggregator';

const VOUCHER_SCOPES = `${SCOPES.voucherPrograms} ${SCOPES.delegated} ${SCOPES.aggregator}`;

/** The paths a token's scopes and grant type open, before looking at the organization. */
export function accessPaths(principal: Principal): AccessPath[] {
  const paths: AccessPath[] = [];
  const cc = principal.grantType === 'client_credentials';
  if (cc && principal.scopes.has(SCOPES.voucherPrograms) && principal.clientKind === 'FIRST_PARTY') paths.push('first_party');
  if (!cc && principal.scopes.has(SCOPES.delegated) && principal.userId !== null) paths.push('delegated');
  if (cc && principal.scopes.has(SCOPES.aggregator) && principal.clientKind === 'THIRD_PARTY') paths.push('aggregator');
  return paths;
}

/** The public answer is the kind's message; which step refused, and why, is the logged detail. */
function refused(kind: 'org_not_allowed' | 'user_not_allowed', detail: string): AppError {
  return kind === 'org_not_allowed' ? new AppError('forbidden', 'org_not_allowed', { detail }) : new AppError('user_not_allowed', 'user_not_allowed', { detail });
}

async function checkPath(ctx: AppContext, principal: Principal, path: AccessPath, organizationId: string): Promise<AppError | null> {
  const db = ctx.database.db;
  switch (path) {
    case 'first_party':
      return principal.clientOrganizationId === organizationId ? null : refused('org_not_allowed', 'first_party: the client belongs to another organization');
    case 'delegated': {
      // Step 3: the token's user must be an ADMIN of this organization.
      const role = await findMembershipRole(db, organizationId, principal.userId!);
      if (role !== 'ADMIN') return refused('user_not_allowed', `delegated: the token's user is ${role ?? 'not a member'} of this organization, not ADMIN`);
      // Step 4: a first-party app acts only for its own organization.
      if (principal.clientKind === 'FIRST_PARTY' && principal.clientOrganizationId !== organizationId) {
        return refused('org_not_allowed', 'delegated: a first-party app of another organization');
      }
      return null;
    }
    case 'aggregator':
      return (await hasAuthorization(db, organizationId, principal.clientId, 'active')) ? null : refused('org_not_allowed', 'aggregator: no active authorization by this organization');
  }
}

/**
 * The one org-access policy every org-scoped route runs (docs/oauth.md steps 2–4). Resolves when the
 * principal may act for `organizationId`; otherwise throws the first applicable answer.
 */
export async function assertOrgAccess(ctx: AppContext, principal: Principal, organizationId: string): Promise<AccessPath> {
  const paths = accessPaths(principal);
  if (paths.length === 0) {
    throw insufficientScope(VOUCHER_SCOPES);
  }
  let firstError: AppError | null = null;
  for (const path of paths) {
    const error = await checkPath(ctx, principal, path, organizationId);
    if (!error) return path;
    firstError ??= error;
  }
  throw firstError!;
}
