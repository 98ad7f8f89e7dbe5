import type { AppContext } from '../../context.js';
import type { MembershipRole } from '../../db/schema.js';
import { hashPassword, randomToken } from '../../lib/secrets.js';
import * as orgs from './org.repository.js';
import { findUserByEmail, insertMembership, insertOrganization, insertUser } from './org.repository.js';
import { isEmail } from '../../lib/email.js';

export class OrgServiceError extends Error {}

/** Shortest password a user may choose (a generated one is longer). */
export const MIN_PASSWORD_LENGTH = 10;

export async function createOrganization(ctx: AppContext, name: string): Promise<{ organization_id: string; name: string }> {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 200) throw new OrgServiceError('Organization name must be 1 to 200 characters.');
  const id = ctx.ids.next();
  await insertOrganization(ctx.database.db, { id, name: trimmed, created_at: ctx.clock.now() });
  return { organization_id: id, name: trimmed };
}


export interface CreatedUser {
  user_id: string;
  email: string;
  /** Present only when voucherd generated the password; shown once. */
  password?: string;
}

/**
 * Creates a user with a scrypt password hash; with `organizationId`, also a membership. A missing
 * password is generated (128 random bits) and returned once.
 */
export async function createUser(
  ctx: AppContext,
  input: { email: string; password?: string; organizationId?: string; role?: MembershipRole },
): Promise<CreatedUser> {
  const email = input.email.trim().toLowerCase();
  if (!isEmail(email)) throw new OrgServiceError(`Not a valid email address: ${input.email}`);
  if (input.password !== undefined && input.password.length < MIN_PASSWORD_LENGTH) {
    throw new OrgServiceError(`Password must be at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  if (input.organizationId && !(await orgs.organizationExists(ctx.database.db, input.organizationId))) {
    throw new OrgServiceError(`No organization with id ${input.organizationId}.`);
  }
  if (await findUserByEmail(ctx.database.db, email)) throw new OrgServiceError(`A user with email ${email} already exists.`);
  const password = input.password ?? randomToken(ctx.random, 16);
  const passwordHash = await hashPassword(password);
  const id = ctx.ids.next();
  const now = ctx.clock.now();
  await ctx.database.db.transaction().execute(async (trx) => {
    await insertUser(trx, { id, email, password_hash: passwordHash, created_at: now });
    if (input.organizationId) {
      await insertMembership(trx, {
        organization_id: input.organizationId,
        user_id: id,
        role: input.role ?? 'MEMBER',
        created_at: now,
      });
    }
  });
  return { user_id: id, email, ...(input.password === undefined ? { password } : {}) };
}

export async function organizationExists(ctx: AppContext, organizationId: string): Promise<boolean> {
  return orgs.organizationExists(ctx.database.db, organizationId);
}

export async function countOrganizations(ctx: AppContext): Promise<number> {
  return orgs.countOrganizations(ctx.database.db);
}

/** The organizations where the user is an ADMIN. */
export async function adminOrganizationsOf(ctx: AppContext, userId: string): Promise<{ id: string; name: string }[]> {
  return orgs.adminOrganizations(ctx.database.db, userId);
}

export async function isOrganizationAdmin(ctx: AppContext, organizationId: string, userId: string): Promise<boolean> {
  return (await orgs.findMembershipRole(ctx.database.db, organizationId, userId)) === 'ADMIN';
}
