import type { AppContext } from '../../context.js';
import { isUniqueViolation } from '../../db/database.js';
import { hashPassword, randomToken } from '../../lib/secrets.js';
import { insertClient } from './client.repository.js';
import { prepareClient } from './client.service.js';
import { SCOPES } from './scopes.js';
import { insertMembership, insertOrganization, insertUser } from '../orgs/org.repository.js';
import { OrgServiceError } from '../orgs/org.service.js';
import { isEmail } from '../../lib/email.js';

export interface BootstrapResult {
  organization_id: string;
  admin: { user_id: string; email: string; password: string };
  client: { client_id: string; client_secret: string; scopes: string[] };
}


/**
 * One organization, its ADMIN user and a FIRST_PARTY client allowed `organizations.voucher_programs`
 * (issue: `voucherd bootstrap`). All rows commit together; secrets are returned once, stored hashed.
 */
export async function bootstrap(
  ctx: AppContext,
  input: { orgName: string; adminEmail: string; adminPassword?: string },
): Promise<BootstrapResult> {
  const orgName = input.orgName.trim();
  if (!orgName || orgName.length > 200) throw new OrgServiceError('Organization name must be 1 to 200 characters.');
  const email = input.adminEmail.trim().toLowerCase();
  if (!isEmail(email)) throw new OrgServiceError(`Not a valid email address: ${input.adminEmail}`);
  if (input.adminPassword !== undefined && input.adminPassword.length < 10) {
    throw new OrgServiceError('Password must be at least 10 characters.');
  }
  const password = input.adminPassword ?? randomToken(ctx.random, 16);
  const passwordHash = await hashPassword(password);
  const organizationId = ctx.ids.next();
  const userId = ctx.ids.next();
  const now = ctx.clock.now();
  const { row: clientRow, created } = prepareClient(ctx, {
    kind: 'FIRST_PARTY',
    organizationId,
    name: `${orgName} backend`,
    scopes: [SCOPES.voucherPrograms],
  });
  try {
    await ctx.database.db.transaction().execute(async (trx) => {
      await insertOrganization(trx, { id: organizationId, name: orgName, created_at: now });
      await insertUser(trx, { id: userId, email, password_hash: passwordHash, created_at: now });
      await insertMembership(trx, { organization_id: organizationId, user_id: userId, role: 'ADMIN', created_at: now });
      await insertClient(trx, clientRow);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new OrgServiceError(`A user with email ${email} already exists.`);
    throw err;
  }
  return {
    organization_id: organizationId,
    admin: { user_id: userId, email, password },
    client: { client_id: created.client_id, client_secret: created.client_secret, scopes: created.scopes },
  };
}
