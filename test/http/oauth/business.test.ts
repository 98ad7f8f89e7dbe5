import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type CreatedClient } from '../../../src/modules/oauth/client.service.js';
import { insertMembership } from '../../../src/modules/orgs/org.repository.js';
import { createUser } from '../../../src/modules/orgs/org.service.js';
import { bearer, createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { browser, formFields, PASSWORD } from '../../helpers/oauth-flow.js';

const CALLBACK = 'https://aggregator.example.com/voucherd/connected';
const SCOPE = 'organizations.voucher_programs.aggregator';

let h: Harness;
let orgA: Tenant;
let orgB: Tenant;
let aggregator: CreatedClient;
let adminEmail: string;
beforeAll(async () => {
  h = await createHarness();
  orgA = await h.seedTenant('Alpha Corp');
  orgB = await h.seedTenant('Beta Corp');
  aggregator = await createClient(h.ctx, { kind: 'THIRD_PARTY', name: 'Ride Aggregator', redirectUris: [CALLBACK] });
  adminEmail = (await h.ctx.database.db.selectFrom('users').select('email').where('id', '=', orgA.adminUserId).executeTakeFirstOrThrow()).email;
  // The admin of Alpha also administers Beta: the consent page must let them pick.
  await insertMembership(h.ctx.database.db, { organization_id: orgB.organizationId, user_id: orgA.adminUserId, role: 'ADMIN', created_at: h.clock.now() });
});
afterAll(async () => {
  await h.close();
});

const authorizeQuery = (overrides: Record<string, string> = {}, P = '/business') =>
  `${P}/authorize?${new URLSearchParams({ client_id: aggregator.client_id, scope: SCOPE, redirect_uri: CALLBACK, app_name: 'Ride Aggregator', ...overrides })}`;

async function signIn(b: ReturnType<typeof browser>, url: string, email: string) {
  const page = await b.get(url);
  expect(page.statusCode).toBe(200);
  const login = await b.post(new URL(url, 'http://x').pathname, { ...formFields(page.body), email, password: PASSWORD });
  expect(login.statusCode).toBe(303);
  return b.get(login.headers.location as string);
}

// The pages answer at voucherd's paths and at Uber's own; both run the same checks.
for (const P of ['/business', '']) describe(`third-party (aggregator) consent: ${P}/authorize and ${P}/revoke`, () => {
  beforeAll(async () => {
    // A fresh aggregator per path, so each run starts with no authorization on record.
    aggregator = await createClient(h.ctx, { kind: 'THIRD_PARTY', name: 'Ride Aggregator', redirectUris: [CALLBACK] });
  });

  it('all four parameters are required; wrong client kind, scope or redirect → error page, no redirect', async () => {
    const b = browser(h);
    for (const name of ['client_id', 'scope', 'redirect_uri', 'app_name']) {
      const q = new URLSearchParams({ client_id: aggregator.client_id, scope: SCOPE, redirect_uri: CALLBACK, app_name: 'A' });
      q.delete(name);
      const res = await b.get(`${P}/authorize?${q}`);
      expect(res.statusCode, name).toBe(400);
      expect(res.headers.location).toBeUndefined();
    }
    const cases: Record<string, string>[] = [{ redirect_uri: `${CALLBACK}/` }, { scope: 'organizations.voucher_programs' }, { client_id: orgA.clientId }];
    for (const overrides of cases) {
      const res = await b.get(authorizeQuery(overrides, P));
      expect(res.statusCode, JSON.stringify(overrides)).toBe(400);
    }
  });

  it('B5 end to end: admin picks an org, approves → 303 to redirect_uri?org_uuid; the aggregator reaches exactly that org; revoke bites on the next request', async () => {
    const token = await h.token(aggregator.client_id, aggregator.client_secret, SCOPE);
    const programA = await h.createProgram(orgA);
    const programB = await h.createProgram(orgB);
    const urlA = `/v1/organizations/${orgA.organizationId}/voucher-programs/${programA}`;
    const urlB = `/v1/organizations/${orgB.organizationId}/voucher-programs/${programB}`;
    expect((await h.app.inject({ method: 'GET', url: urlA, headers: bearer(token) })).statusCode).toBe(403);

    const b = browser(h);
    const consent = await signIn(b, authorizeQuery({}, P), adminEmail);
    expect(consent.statusCode).toBe(200);
    expect(consent.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(consent.body).toContain('<select id="org_id" name="org_id" required>');
    expect(consent.body).toContain('Alpha Corp');
    expect(consent.body).toContain('Beta Corp');
    const approved = await b.post(`${P}/authorize`, { ...formFields(consent.body), org_id: orgA.organizationId, action: 'approve' });
    expect(approved.statusCode).toBe(303);
    expect(approved.headers.location).toBe(`${CALLBACK}?org_uuid=${orgA.organizationId}`);
    const rows = await h.ctx.database.db.selectFrom('organization_authorizations').selectAll().where('client_id', '=', aggregator.client_id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ organization_id: orgA.organizationId, approved_by_user_id: orgA.adminUserId, revoked_at: null, scope: SCOPE });

    expect((await h.app.inject({ method: 'GET', url: urlA, headers: bearer(token) })).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'GET', url: urlB, headers: bearer(token) })).statusCode).toBe(403);

    // Approving again is idempotent (still one active row).
    const again = await b.post(`${P}/authorize`, { ...formFields(consent.body), org_id: orgA.organizationId, action: 'approve' });
    expect(again.statusCode).toBe(303);
    expect(await h.ctx.database.db.selectFrom('organization_authorizations').select('id').where('client_id', '=', aggregator.client_id).execute()).toHaveLength(1);

    const revokeUrl = `${P}/revoke?${new URLSearchParams({ org_uuid: orgA.organizationId, client_id: aggregator.client_id, app_name: 'Ride Aggregator', redirect_uri: CALLBACK })}`;
    const confirm = await b.get(revokeUrl);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Alpha Corp');
    const noCsrf = await b.post(`${P}/revoke`, { ...formFields(confirm.body), csrf_token: 'forged' });
    expect(noCsrf.statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: urlA, headers: bearer(token) })).statusCode).toBe(200);
    const revoked = await b.post(`${P}/revoke`, formFields(confirm.body));
    expect(revoked.statusCode).toBe(303);
    expect(revoked.headers.location).toBe(`${CALLBACK}?org_uuid=${orgA.organizationId}`);
    const after = await h.app.inject({ method: 'GET', url: urlA, headers: bearer(token) });
    expect(after.statusCode).toBe(403);
    expect(after.json().code).toBe('unauthorized');
  });

  it('A11: a non-admin cannot approve — a MEMBER sees no organization to pick, a forged org_id is refused, nothing is written', async () => {
    const member = await createUser(h.ctx, { email: `member-biz${P.replace("/", "-")}-${orgA.organizationId}@example.com`, password: PASSWORD, organizationId: orgA.organizationId, role: 'MEMBER' });
    const b = browser(h);
    const page = await b.get(authorizeQuery({}, P));
    const login = await b.post(`${P}/authorize`, { ...formFields(page.body), email: member.email, password: PASSWORD });
    expect(login.statusCode).toBe(303);
    const consent = await b.get(login.headers.location as string);
    expect(consent.statusCode).toBe(403);
    expect(consent.body).not.toContain('value="approve"');
    const before = await h.ctx.database.db.selectFrom('organization_authorizations').select('id').execute();
    const forged = await b.post(`${P}/authorize`, { ...formFields(page.body), org_id: orgA.organizationId, action: 'approve' });
    expect(forged.statusCode).toBe(403);
    expect(forged.headers.location).toBeUndefined();
    expect(await h.ctx.database.db.selectFrom('organization_authorizations').select('id').execute()).toHaveLength(before.length);
    const revoke = await b.get(`${P}/revoke?${new URLSearchParams({ org_uuid: orgA.organizationId, client_id: aggregator.client_id, app_name: 'x', redirect_uri: CALLBACK })}`);
    expect(revoke.statusCode).toBe(403);
  });

  it('A11: a forged CSRF token → 403; Deny → 303 to redirect_uri with error=access_denied; nothing written', async () => {
    const b = browser(h);
    const consent = await signIn(b, authorizeQuery({}, P), adminEmail);
    const before = await h.ctx.database.db.selectFrom('organization_authorizations').select('id').execute();
    const forged = await b.post(`${P}/authorize`, { ...formFields(consent.body), csrf_token: 'forged', org_id: orgB.organizationId, action: 'approve' });
    expect(forged.statusCode, 'A11: CSRF token required on POST').toBe(403);
    expect(forged.headers.location).toBeUndefined();
    const denied = await b.post(`${P}/authorize`, { ...formFields(consent.body), org_id: orgB.organizationId, action: 'deny' });
    expect(denied.statusCode).toBe(303);
    expect(denied.headers.location).toBe(`${CALLBACK}?error=access_denied`);
    expect(await h.ctx.database.db.selectFrom('organization_authorizations').select('id').execute()).toHaveLength(before.length);
  });
});
