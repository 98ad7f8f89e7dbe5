import type { Kysely } from 'kysely';
import type { AppContext } from '../../context.js';
import { isUniqueViolation } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import type { UnitOfWork } from '../../db/unit-of-work.js';
import { findClient, type ClientRow } from '../oauth/client.repository.js';
import { isRegisteredRedirectUri } from '../oauth/redirect-uri.js';
import { SCOPES, parseScope } from '../oauth/scopes.js';
import { adminOrganizations } from '../orgs/org.repository.js';
import { AppError } from '../../lib/errors.js';
import { hasAuthorization, insertAuthorization, listAuthorizations, revokeAuthorization } from '../access/authorization.repository.js';

export const AUTHORIZE_PARAMS = ['client_id', 'scope', 'redirect_uri', 'app_name'] as const;
export const REVOKE_PARAMS = ['org_uuid', 'client_id', 'app_name', 'redirect_uri'] as const;

export interface BusinessRequest {
  client: ClientRow;
  redirectUri: string;
  params: Record<string, string>;
}

/**
 * Checks an aggregator consent/revoke link (docs/oauth.md Organization authorization): every listed
 * parameter present once, a THIRD_PARTY client, its registered redirect URI exactly, and for
 * authorize the aggregator scope. Any failure is shown as a page, never redirected.
 */
export async function validateBusinessRequest(
  ctx: AppContext,
  source: Record<string, unknown>,
  names: readonly string[],
): Promise<{ ok: true; request: BusinessRequest } | { ok: false; detail: string }> {
  const params: Record<string, string> = {};
  for (const name of names) {
    const value = source[name];
    if (typeof value !== 'string' || value === '' || value.length > 2048) return { ok: false, detail: `${name} is required (once)` };
    params[name] = value;
  }
  const client = await findClient(ctx.database.db, params.client_id!);
  if (!client || client.kind !== 'THIRD_PARTY' || client.disabled_at !== null) return { ok: false, detail: 'unknown client' };
  if (!isRegisteredRedirectUri(client, params.redirect_uri!)) return { ok: false, detail: 'redirect_uri not registered' };
  if (params.scope !== undefined) {
    const scopes = parseScope(params.scope);
    if (scopes.length !== 1 || scopes[0] !== SCOPES.aggregator || !parseScope(client.scopes).includes(SCOPES.aggregator)) {
      return { ok: false, detail: `scope must be ${SCOPES.aggregator}` };
    }
  }
  return { ok: true, request: { client, redirectUri: params.redirect_uri!, params } };
}

export { adminOrganizations };

/** Records the approval; approving an already-authorized organization again is a no-op. */
export async function authorizeOrganization(ctx: AppContext, organizationId: string, clientId: string, userId: string): Promise<void> {
  try {
    await insertAuthorization(ctx.database.db, {
      id: ctx.ids.next(),
      organization_id: organizationId,
      client_id: clientId,
      scope: SCOPES.aggregator,
      approved_by_user_id: userId,
      created_at: ctx.clock.now(),
      revoked_at: null,
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
}

/** Withdraws the approval; the access policy reads the table on every request, so it bites at once. */
export async function revokeOrganization(ctx: AppContext, organizationId: string, clientId: string): Promise<void> {
  await revokeAuthorization(ctx.database.db, organizationId, clientId, ctx.clock.now());
}

export async function organizationAuthorizations(ctx: AppContext, organizationId: string) {
  return authorizationsIn(ctx.database.db, organizationId);
}

async function authorizationsIn(db: Kysely<DB>, organizationId: string) {
  const rows = await listAuthorizations(db, organizationId);
  return rows.map((r) => ({
    client_id: r.client_id,
    app_name: r.name,
    scope: r.scope,
    approved_by_user_id: r.approved_by_user_id,
    created_at: Number(r.created_at),
    revoked_at: r.revoked_at === null ? null : Number(r.revoked_at),
    active: r.revoked_at === null,
  }));
}

/** The wire shape of an authorized app (docs/oauth.md, Authorized apps, X). */
export interface AuthorizedApp {
  client_id: string;
  name: string;
  scopes: string[];
  authorized_at: number;
  revoked_at: number | null;
}

/**
 * The aggregators the organization authorized, one entry per client: the latest authorization
 * (a client re-authorized after a revoke shows its new approval).
 */
export async function authorizedApps(ctx: AppContext, organizationId: string): Promise<AuthorizedApp[]> {
  return authorizedAppsIn(ctx.database.db, organizationId);
}

async function authorizedAppsIn(db: Kysely<DB>, organizationId: string): Promise<AuthorizedApp[]> {
  const byClient = new Map<string, AuthorizedApp>();
  for (const row of await authorizationsIn(db, organizationId)) {
    byClient.set(row.client_id, {
      client_id: row.client_id,
      name: row.app_name,
      scopes: parseScope(row.scope),
      authorized_at: row.created_at,
      revoked_at: row.revoked_at,
    });
  }
  return [...byClient.values()];
}

/**
 * The admin withdraws an aggregator's authorization from the console: the same effect as
 * /business/revoke. A client the organization never authorized is not found (no leak of other
 * organizations' apps); revoking twice keeps the first revocation time. The revocation and the
 * app as it leaves it are `work`'s transaction.
 */
export async function revokeAuthorizedApp(ctx: AppContext, organizationId: string, clientId: string, work: UnitOfWork<AuthorizedApp>): Promise<AuthorizedApp> {
  if (!(await hasAuthorization(ctx.database.db, organizationId, clientId, 'ever'))) {
    throw new AppError('not_found', 'authorized_app_not_found');
  }
  return work.transaction(async (trx) => {
    await revokeAuthorization(trx, organizationId, clientId, ctx.clock.now());
    return (await authorizedAppsIn(trx, organizationId)).find((a) => a.client_id === clientId)!;
  });
}
