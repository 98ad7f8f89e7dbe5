import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeOrganization } from '../../../src/modules/business/business.service.js';
import { createClient } from '../../../src/modules/oauth/client.service.js';
import { fanOutEvents } from '../../../src/modules/webhooks/fanout.js';
import { delegatedToken } from '../../helpers/access-matrix.js';
import { bearer, createHarness, json, type Harness, type Tenant } from '../../helpers/harness.js';
import { codeClient } from '../../helpers/oauth-flow.js';
import { registerEndpoint } from '../../helpers/webhooks.js';

const APPS = (org: string) => `/v1/organizations/${org}/authorized-apps`;
const AGGREGATOR = 'organizations.voucher_programs.aggregator';
const RANDOM_UUID = '01900000-0000-7000-8000-000000000000';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

async function adminToken(tenant: Tenant): Promise<string> {
  const app = await codeClient(h, tenant.organizationId);
  const admin = await h.ctx.database.db.selectFrom('users').select('email').where('id', '=', tenant.adminUserId).executeTakeFirstOrThrow();
  return delegatedToken(h, app, admin.email);
}

async function authorizedAggregator(tenant: Tenant, name: string) {
  const app = await createClient(h.ctx, { kind: 'THIRD_PARTY', name, scopes: [AGGREGATOR] });
  await authorizeOrganization(h.ctx, tenant.organizationId, app.client_id, tenant.adminUserId);
  return { ...app, token: await h.token(app.client_id, app.client_secret, AGGREGATOR) };
}

describe('authorized apps (docs/oauth.md, Authorized apps)', () => {
  it("lists the organization's aggregators; revoking one refuses its token for that organization and stops its deliveries", async () => {
    const tenant = await h.seedTenant();
    const elsewhere = await h.seedTenant();
    const token = await adminToken(tenant);
    const platform = await authorizedAggregator(tenant, 'Platform');
    // The same aggregator is authorized by another organization too: that one stays untouched.
    await authorizeOrganization(h.ctx, elsewhere.organizationId, platform.client_id, elsewhere.adminUserId);
    const hook = await registerEndpoint(h, platform.token, 'https://93.184.215.14/platform');

    const list = await h.app.inject({ method: 'GET', url: APPS(tenant.organizationId), headers: bearer(token) });
    expect(list.statusCode).toBe(200);
    expect(json(list).authorized_apps).toEqual([
      { client_id: platform.client_id, name: 'Platform', scopes: [AGGREGATOR], authorized_at: h.clock.now(), revoked_at: null },
    ]);
    const search = (org: string) => h.app.inject({ method: 'POST', url: `/v1/organizations/${org}/voucher-programs/search`, headers: bearer(platform.token), payload: {} });
    expect((await search(tenant.organizationId)).statusCode).toBe(200);

    const revoked = await h.app.inject({ method: 'POST', url: `${APPS(tenant.organizationId)}/${platform.client_id}/revoke`, headers: bearer(token) });
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(json(revoked)).toMatchObject({ client_id: platform.client_id, revoked_at: h.clock.now() });

    // Its token no longer reaches this organization; the other one still authorizes it.
    const refused = await search(tenant.organizationId);
    expect(refused.statusCode).toBe(403);
    expect(json(refused).code).toBe('unauthorized');
    expect((await search(elsewhere.organizationId)).statusCode).toBe(200);

    // Deliveries stop: the organization's next event fans out to no endpoint of the aggregator.
    await h.createProgram(tenant);
    await fanOutEvents(h.ctx);
    const rows = await h.ctx.database.db
      .selectFrom('webhook_deliveries')
      .select('organization_id')
      .where('endpoint_id', '=', hook.id)
      .execute();
    expect(rows.filter((r) => r.organization_id === tenant.organizationId)).toEqual([]);

    // Revoking again keeps the first time; the list shows it revoked.
    h.clock.advance(1000);
    const again = await h.app.inject({ method: 'POST', url: `${APPS(tenant.organizationId)}/${platform.client_id}/revoke`, headers: bearer(token) });
    expect(json(again).revoked_at).toBe(h.clock.now() - 1000);
    expect(json(await h.app.inject({ method: 'GET', url: APPS(tenant.organizationId), headers: bearer(token) })).authorized_apps[0].revoked_at).toBe(h.clock.now() - 1000);
  });

  it('an app the organization never authorized is 404, identical to a random id, and nothing changes', async () => {
    const tenant = await h.seedTenant();
    const other = await h.seedTenant();
    const foreignApp = await authorizedAggregator(other, 'Foreign');
    const strip = (body: string) => ({ ...JSON.parse(body), request_id: undefined });
    const foreign = await h.app.inject({ method: 'POST', url: `${APPS(tenant.organizationId)}/${foreignApp.client_id}/revoke`, headers: bearer(tenant.token) });
    const missing = await h.app.inject({ method: 'POST', url: `${APPS(tenant.organizationId)}/${RANDOM_UUID}/revoke`, headers: bearer(tenant.token) });
    expect(foreign.statusCode).toBe(404);
    expect(strip(foreign.body)).toEqual(strip(missing.body));
    expect(json(await h.app.inject({ method: 'GET', url: APPS(tenant.organizationId), headers: bearer(tenant.token) })).authorized_apps).toEqual([]);
    const row = await h.ctx.database.db.selectFrom('organization_authorizations').select('revoked_at').where('client_id', '=', foreignApp.client_id).executeTakeFirstOrThrow();
    expect(row.revoked_at).toBeNull();
  });
});
