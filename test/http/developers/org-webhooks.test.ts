import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../../src/modules/oauth/client.service.js';
import { createUser } from '../../../src/modules/orgs/org.service.js';
import { verifyUberSignature } from '../../../src/modules/webhooks/verify.js';
import { webhookWorker, type WebhookWorker } from '../../../src/modules/webhooks/webhook.worker.js';
import { delegatedToken } from '../../helpers/access-matrix.js';
import { bearer, createHarness, json, type Harness, type Tenant } from '../../helpers/harness.js';
import { codeClient, PASSWORD } from '../../helpers/oauth-flow.js';
import { startReceiver, type Receiver } from '../../helpers/receiver.js';

const HOOKS = (org: string) => `/v1/organizations/${org}/webhook-endpoints`;
const RANDOM_UUID = '01900000-0000-7000-8000-000000000000';
const signal = new AbortController().signal;

/** The tenant's ADMIN, signed in through the real code flow of a first-party app (the console's path). */
async function adminToken(h: Harness, tenant: Tenant): Promise<string> {
  const app = await codeClient(h, tenant.organizationId);
  const admin = await h.ctx.database.db.selectFrom('users').select('email').where('id', '=', tenant.adminUserId).executeTakeFirstOrThrow();
  return delegatedToken(h, app, admin.email);
}

describe('organization webhook endpoints (docs/webhooks.md, Organization endpoints)', () => {
  let h: Harness;
  let worker: WebhookWorker;
  let receiver: Receiver;
  beforeAll(async () => {
    h = await createHarness({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
    worker = webhookWorker(h.ctx);
  });
  afterAll(async () => {
    await worker.close();
    await h.close();
  });
  afterEach(async () => {
    await receiver?.close();
  });

  it('an ADMIN adds, lists, rotates, reads the log, re-sends and removes; each key is shown once', async () => {
    receiver = await startReceiver();
    const tenant = await h.seedTenant();
    const token = await adminToken(h, tenant);
    const created = await h.app.inject({ method: 'POST', url: HOOKS(tenant.organizationId), headers: bearer(token), payload: { url: `${receiver.url}/hooks` } });
    expect(created.statusCode, created.body).toBe(201);
    const endpoint = json(created);
    expect(endpoint.signing_key).toMatch(/^whsec_/);
    // Default owner for an ADMIN: the organization's first-party API client (bootstrap made it).
    expect(endpoint.client_id).toBe(tenant.clientId);
    expect(created.headers.location).toBe(`${HOOKS(tenant.organizationId)}/${endpoint.webhook_endpoint_id}`);
    // The same endpoint, seen by its owning client through the client API.
    const own = await h.app.inject({ method: 'GET', url: `/v1/webhook-endpoints/${endpoint.webhook_endpoint_id}`, headers: bearer(tenant.token) });
    expect(own.statusCode).toBe(200);

    const list = await h.app.inject({ method: 'GET', url: HOOKS(tenant.organizationId), headers: bearer(token) });
    expect(list.statusCode).toBe(200);
    expect(json(list).webhook_endpoints.map((e: { webhook_endpoint_id: string }) => e.webhook_endpoint_id)).toEqual([endpoint.webhook_endpoint_id]);
    expect(list.body).not.toContain(endpoint.signing_key);
    expect(list.body).not.toContain('whsec_');

    // An event reaches the receiver and shows in the log.
    await h.createProgram(tenant);
    await worker.run(h.ctx, signal);
    expect(receiver.requests).toHaveLength(1);
    const log = await h.app.inject({ method: 'GET', url: `${HOOKS(tenant.organizationId)}/${endpoint.webhook_endpoint_id}/deliveries`, headers: bearer(token) });
    expect(log.statusCode).toBe(200);
    const [delivery] = json(log).deliveries;
    expect(delivery).toMatchObject({ status: 'SUCCEEDED', event_type: 'voucher_program_created', attempts: 1, last_status_code: 200, last_error: null });

    // Rotation with no overlap: a new key, shown once; the re-sent delivery is signed with it.
    const rotated = await h.app.inject({
      method: 'POST',
      url: `${HOOKS(tenant.organizationId)}/${endpoint.webhook_endpoint_id}/rotate-key`,
      headers: bearer(token),
      payload: { overlap_seconds: 0 },
    });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const newKey = json(rotated).signing_key as string;
    expect(newKey).toMatch(/^whsec_/);
    expect(newKey).not.toBe(endpoint.signing_key);
    const listAfter = await h.app.inject({ method: 'GET', url: HOOKS(tenant.organizationId), headers: bearer(token) });
    expect(listAfter.body).not.toContain(newKey);

    const resent = await h.app.inject({
      method: 'POST',
      url: `${HOOKS(tenant.organizationId)}/${endpoint.webhook_endpoint_id}/deliveries/${delivery.delivery_id}/resend`,
      headers: bearer(token),
    });
    expect(resent.statusCode, resent.body).toBe(202);
    expect(json(resent).status).toBe('PENDING');
    await worker.run(h.ctx, signal);
    expect(receiver.requests).toHaveLength(2);
    const [first, second] = receiver.requests;
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(second!.raw.equals(first!.raw)).toBe(true);
    expect(verifyUberSignature(newKey, second!.raw, second!.headers['x-uber-signature'] as string)).toBe(true);
    expect(verifyUberSignature(endpoint.signing_key, second!.raw, second!.headers['x-uber-signature'] as string)).toBe(false);

    const removed = await h.app.inject({ method: 'DELETE', url: `${HOOKS(tenant.organizationId)}/${endpoint.webhook_endpoint_id}`, headers: bearer(token) });
    expect(removed.statusCode).toBe(204);
    expect(json(await h.app.inject({ method: 'GET', url: HOOKS(tenant.organizationId), headers: bearer(token) })).webhook_endpoints).toEqual([]);
  });

  it("another organization's endpoint or delivery is 404, identical to a random id, and nothing changes", async () => {
    const owner = await h.seedTenant();
    const other = await h.seedTenant();
    const created = await h.app.inject({ method: 'POST', url: HOOKS(owner.organizationId), headers: bearer(owner.token), payload: { url: 'https://93.184.215.14/hooks' } });
    const id = json(created).webhook_endpoint_id as string;
    await h.createProgram(owner);
    const { fanOutEvents } = await import('../../../src/modules/webhooks/fanout.js');
    await fanOutEvents(h.ctx);
    const delivery = await h.ctx.database.db.selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', id).executeTakeFirstOrThrow();
    const otherAdmin = await adminToken(h, other);
    const strip = (body: string) => ({ ...JSON.parse(body), request_id: undefined });
    for (const token of [other.token, otherAdmin]) {
      for (const [method, path, payload] of [
        ['DELETE', (e: string) => `/${e}`, undefined],
        ['POST', (e: string) => `/${e}/rotate-key`, {}],
        ['GET', (e: string) => `/${e}/deliveries`, undefined],
        ['POST', (e: string) => `/${e}/deliveries/${delivery.id}/resend`, undefined],
      ] as const) {
        const foreign = await h.app.inject({ method, url: `${HOOKS(other.organizationId)}${path(id)}`, headers: bearer(token), ...(payload ? { payload } : {}) });
        const missing = await h.app.inject({ method, url: `${HOOKS(other.organizationId)}${path(RANDOM_UUID)}`, headers: bearer(token), ...(payload ? { payload } : {}) });
        expect(foreign.statusCode, `${method} ${path('…')}`).toBe(404);
        expect(strip(foreign.body)).toEqual(strip(missing.body));
      }
      const list = await h.app.inject({ method: 'GET', url: HOOKS(other.organizationId), headers: bearer(token) });
      expect(json(list).webhook_endpoints).toEqual([]);
    }
    // A delivery id of another endpoint of the same organization is not found either.
    const second = json(await h.app.inject({ method: 'POST', url: HOOKS(owner.organizationId), headers: bearer(owner.token), payload: { url: 'https://93.184.215.14/other' } }));
    const wrong = await h.app.inject({ method: 'POST', url: `${HOOKS(owner.organizationId)}/${second.webhook_endpoint_id}/deliveries/${delivery.id}/resend`, headers: bearer(owner.token) });
    expect(wrong.statusCode).toBe(404);
    const row = await h.ctx.database.db.selectFrom('webhook_endpoints').select(['deleted_at', 'signing_key']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.deleted_at).toBeNull();
  });

  it('client_id picks the owner among the first-party clients; another organization’s client is refused naming the field', async () => {
    const tenant = await h.seedTenant();
    const other = await h.seedTenant();
    const second = await createClient(h.ctx, { kind: 'FIRST_PARTY', organizationId: tenant.organizationId, name: 'Second integration' });
    const token = await adminToken(h, tenant);
    const chosen = await h.app.inject({ method: 'POST', url: HOOKS(tenant.organizationId), headers: bearer(token), payload: { url: 'https://93.184.215.14/a', client_id: second.client_id } });
    expect(chosen.statusCode, chosen.body).toBe(201);
    expect(json(chosen).client_id).toBe(second.client_id);
    // The calling first-party client owns what it adds when client_id is left out.
    const secondToken = await h.token(second.client_id, second.client_secret);
    const own = await h.app.inject({ method: 'POST', url: HOOKS(tenant.organizationId), headers: bearer(secondToken), payload: { url: 'https://93.184.215.14/b' } });
    expect(json(own).client_id).toBe(second.client_id);
    for (const clientId of [other.clientId, RANDOM_UUID]) {
      const refused = await h.app.inject({ method: 'POST', url: HOOKS(tenant.organizationId), headers: bearer(token), payload: { url: 'https://93.184.215.14/c', client_id: clientId } });
      expect(refused.statusCode).toBe(400);
      expect(json(refused).code).toBe('invalid_request');
      expect(json(refused).metadata.field).toBe('client_id');
    }
    const list = json(await h.app.inject({ method: 'GET', url: HOOKS(tenant.organizationId), headers: bearer(token) })).webhook_endpoints;
    expect(list.map((e: { url: string }) => e.url).sort()).toEqual(['https://93.184.215.14/a', 'https://93.184.215.14/b']);
  });

  it('a MEMBER is refused with 403 user_not_allowed; an authorized aggregator with 403; nothing is written', async () => {
    const tenant = await h.seedTenant();
    const app = await codeClient(h, tenant.organizationId);
    const member = await createUser(h.ctx, { email: `member-${tenant.organizationId}@example.com`, password: PASSWORD, organizationId: tenant.organizationId, role: 'ADMIN' });
    const memberToken = await delegatedToken(h, app, member.email);
    await h.ctx.database.db.updateTable('memberships').set({ role: 'MEMBER' }).where('user_id', '=', member.user_id).execute();
    const res = await h.app.inject({ method: 'POST', url: HOOKS(tenant.organizationId), headers: bearer(memberToken), payload: { url: 'https://93.184.215.14/m' } });
    expect(res.statusCode).toBe(403);
    expect(json(res).code).toBe('user_not_allowed');

    const aggregator = await createClient(h.ctx, { kind: 'THIRD_PARTY', name: 'Platform', scopes: ['organizations.voucher_programs.aggregator'] });
    const { authorizeOrganization } = await import('../../../src/modules/business/business.service.js');
    await authorizeOrganization(h.ctx, tenant.organizationId, aggregator.client_id, tenant.adminUserId);
    const aggToken = await h.token(aggregator.client_id, aggregator.client_secret, 'organizations.voucher_programs.aggregator');
    // It reaches the organization's programs, but not its integrations.
    expect((await h.app.inject({ method: 'POST', url: `/v1/organizations/${tenant.organizationId}/voucher-programs/search`, headers: bearer(aggToken), payload: {} })).statusCode).toBe(200);
    for (const [method, url] of [['GET', HOOKS(tenant.organizationId)], ['POST', HOOKS(tenant.organizationId)], ['GET', `/v1/organizations/${tenant.organizationId}/authorized-apps`]] as const) {
      const refused = await h.app.inject({ method, url, headers: bearer(aggToken), ...(method === 'POST' ? { payload: { url: 'https://93.184.215.14/agg' } } : {}) });
      expect(refused.statusCode, `${method} ${url}`).toBe(403);
      expect(json(refused).code).toBe('unauthorized');
    }
    expect(await h.ctx.database.db.selectFrom('webhook_endpoints').select('id').where('url', 'in', ['https://93.184.215.14/m', 'https://93.184.215.14/agg']).execute()).toEqual([]);
  });

  it('a bad url is 400 naming the field, nothing written', async () => {
    const tenant = await h.seedTenant();
    const token = await adminToken(h, tenant);
    for (const url of ['not a url', 'ftp://93.184.215.14/x', 'https://user:pw@93.184.215.14/x', '']) {
      const res = await h.app.inject({ method: 'POST', url: HOOKS(tenant.organizationId), headers: bearer(token), payload: { url } });
      expect(res.statusCode, url).toBe(400);
      expect(json(res).metadata.field, url).toBe('url');
    }
    expect(json(await h.app.inject({ method: 'GET', url: HOOKS(tenant.organizationId), headers: bearer(token) })).webhook_endpoints).toEqual([]);
  });
});

describe('organization webhook endpoints: the SSRF guard of registration applies (docs/guarantees.md)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('refuses loopback, private and metadata addresses', async () => {
    const tenant = await h.seedTenant();
    for (const url of ['http://127.0.0.1/', 'http://localhost:8080/', 'http://[::1]/', 'http://10.0.0.8/', 'http://169.254.169.254/latest/meta-data/']) {
      const res = await h.app.inject({ method: 'POST', url: HOOKS(tenant.organizationId), headers: bearer(tenant.token), payload: { url } });
      expect(res.statusCode, url).toBe(400);
      expect(json(res).metadata.field).toBe('url');
    }
    expect(await h.ctx.database.db.selectFrom('webhook_endpoints').select('id').where('client_id', '=', tenant.clientId).execute()).toEqual([]);
  });
});
