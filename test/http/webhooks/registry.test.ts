import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../../src/modules/oauth/client.service.js';
import { SIGNING_KEY_PURPOSE } from '../../../src/modules/webhooks/endpoint.service.js';
import { bearer, createHarness, json, type Harness } from '../../helpers/harness.js';
import { createRider, createRiderApp } from '../../helpers/riders.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

const PUBLIC_URL = 'https://93.184.215.14/hooks';

describe('webhook endpoint registry (docs/webhooks.md, X)', () => {
  it('registers, lists, shows, rotates and removes the caller’s endpoints; the key is shown once', async () => {
    const tenant = await h.seedTenant();
    const created = await h.app.inject({
      method: 'POST',
      url: '/v1/webhook-endpoints',
      headers: bearer(tenant.token),
      payload: { url: PUBLIC_URL, event_types: ['voucher_program_created'], description: 'ops' },
    });
    expect(created.statusCode).toBe(201);
    const body = json(created);
    expect(body).toMatchObject({ url: PUBLIC_URL, event_types: ['voucher_program_created'], description: 'ops', status: 'ENABLED' });
    expect(body.signing_key).toMatch(/^whsec_/);
    expect(created.headers.location).toBe(`/v1/webhook-endpoints/${body.webhook_endpoint_id}`);
    const row = await h.ctx.database.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', body.webhook_endpoint_id).executeTakeFirstOrThrow();
    expect(row.client_id).toBe(tenant.clientId);
    // Stored sealed (docs/secrets.md), never as issued.
    expect(row.signing_key).not.toContain(body.signing_key.slice(6));
    expect(h.ctx.secrets().open(row.signing_key, SIGNING_KEY_PURPOSE)).toBe(body.signing_key);

    const list = await h.app.inject({ method: 'GET', url: '/v1/webhook-endpoints', headers: bearer(tenant.token) });
    expect(list.statusCode).toBe(200);
    expect(json(list).webhook_endpoints).toHaveLength(1);
    expect(list.body).not.toContain(body.signing_key);
    const one = await h.app.inject({ method: 'GET', url: `/v1/webhook-endpoints/${body.webhook_endpoint_id}`, headers: bearer(tenant.token) });
    expect(one.statusCode).toBe(200);
    expect(one.body).not.toContain('whsec_');

    // Another client sees nothing of it and cannot touch it.
    const other = await h.seedTenant();
    expect(json(await h.app.inject({ method: 'GET', url: '/v1/webhook-endpoints', headers: bearer(other.token) })).webhook_endpoints).toEqual([]);
    for (const [method, url] of [
      ['GET', `/v1/webhook-endpoints/${body.webhook_endpoint_id}`],
      ['DELETE', `/v1/webhook-endpoints/${body.webhook_endpoint_id}`],
      ['POST', `/v1/webhook-endpoints/${body.webhook_endpoint_id}/rotate-key`],
      ['GET', `/v1/webhook-endpoints/${body.webhook_endpoint_id}/deliveries`],
    ] as const) {
      const res = await h.app.inject({ method, url, headers: bearer(other.token), ...(method === 'POST' ? { payload: {} } : {}) });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(json(res).code).toBe('resource_not_found');
    }

    const rotated = await h.app.inject({ method: 'POST', url: `/v1/webhook-endpoints/${body.webhook_endpoint_id}/rotate-key`, headers: bearer(tenant.token), payload: {} });
    expect(rotated.statusCode).toBe(200);
    expect(json(rotated).signing_key).not.toBe(body.signing_key);
    expect(json(rotated).previous_key_expires_at).toBe(h.clock.now() + 86_400_000);

    const removed = await h.app.inject({ method: 'DELETE', url: `/v1/webhook-endpoints/${body.webhook_endpoint_id}`, headers: bearer(tenant.token) });
    expect(removed.statusCode).toBe(204);
    const after = await h.ctx.database.db.selectFrom('webhook_endpoints').select('deleted_at').where('id', '=', body.webhook_endpoint_id).executeTakeFirstOrThrow();
    expect(after.deleted_at).toBe(h.clock.now());
    expect((await h.app.inject({ method: 'DELETE', url: `/v1/webhook-endpoints/${body.webhook_endpoint_id}`, headers: bearer(tenant.token) })).statusCode).toBe(404);
    expect(json(await h.app.inject({ method: 'GET', url: '/v1/webhook-endpoints', headers: bearer(tenant.token) })).webhook_endpoints).toEqual([]);
  });

  it('accepts aggregator client tokens; refuses missing, invalid and non-client tokens', async () => {
    const agg = await createClient(h.ctx, { kind: 'THIRD_PARTY', scopes: ['organizations.voucher_programs.aggregator'] });
    const token = await h.token(agg.client_id, agg.client_secret, 'organizations.voucher_programs.aggregator');
    const res = await h.app.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: bearer(token), payload: { url: PUBLIC_URL } });
    expect(res.statusCode).toBe(201);

    const none = await h.app.inject({ method: 'GET', url: '/v1/webhook-endpoints' });
    expect(none.statusCode).toBe(401);
    expect(json(none).code).toBe('unauthorized');
    const bad = await h.app.inject({ method: 'GET', url: '/v1/webhook-endpoints', headers: bearer('x'.repeat(40)) });
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['www-authenticate']).toContain('invalid_token');

    // A token without a Vouchers API client_credentials scope: a rider's, from the real code flow on a client holding only the rider scope.
    const rider = await createRider(h, await createRiderApp(h.ctx));
    const forbidden = await h.app.inject({ method: 'GET', url: '/v1/webhook-endpoints', headers: bearer(rider.token) });
    expect(forbidden.statusCode).toBe(403);
    expect(json(forbidden).code).toBe('unauthorized');
  });

  it('validates the body (unknown fields refused with Prefer: handling=strict)', async () => {
    const tenant = await h.seedTenant();
    for (const payload of [{}, { url: PUBLIC_URL, extra: 1 }, { url: PUBLIC_URL, event_types: ['nope'] }, { url: PUBLIC_URL, event_types: [] }, { url: 42 }]) {
      const res = await h.app.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: { ...bearer(tenant.token), prefer: 'handling=strict' }, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(json(res).code).toBe('invalid_request');
    }
    expect(await h.ctx.database.db.selectFrom('webhook_endpoints').select('id').where('client_id', '=', tenant.clientId).execute()).toEqual([]);
  });
});

describe('SSRF guard at registration (docs/guarantees.md)', () => {
  const REFUSED = [
    'http://127.0.0.1/',
    'http://localhost:8080/',
    'http://2130706433/',
    'http://0x7f.1/',
    'http://0177.0.0.1/',
    'http://017700000001/',
    'http://127.1/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://0.0.0.0/',
    'http://10.0.0.8/',
    'http://172.16.3.4/',
    'http://192.168.1.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fe80::1]/',
    'http://100.64.1.2/',
    'http://[fd00:ec2::254]/',
    'http://[fc00::1]/',
    'http://224.0.0.251/',
    'http://[64:ff9b::a9fe:a9fe]/',
    'ftp://93.184.215.14/',
    'http://user:pass@93.184.215.14/',
    'not a url',
  ];

  it.each(REFUSED)('refuses %s', async (url) => {
    const tenant = await h.seedTenant();
    const res = await h.app.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: bearer(tenant.token), payload: { url } });
    expect(res.statusCode).toBe(400);
    expect(json(res)).toMatchObject({ code: 'invalid_request', metadata: { field: 'url' } });
    expect(await h.ctx.database.db.selectFrom('webhook_endpoints').select('id').where('client_id', '=', tenant.clientId).execute()).toEqual([]);
  });

  it('allows loopback and private targets only with WEBHOOK_ALLOW_PRIVATE_TARGETS, never metadata', async () => {
    const dev = await createHarness({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
    try {
      const tenant = await dev.seedTenant();
      for (const url of ['http://127.0.0.1:9/', 'http://2130706433:9/', 'http://[::1]:9/', 'http://10.0.0.8/', 'http://localhost:9/']) {
        const res = await dev.app.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: bearer(tenant.token), payload: { url } });
        expect(res.statusCode, url).toBe(201);
      }
      for (const url of ['http://169.254.169.254/', 'http://[fd00:ec2::254]/', 'http://224.0.0.1/', 'http://0.0.0.0/']) {
        const res = await dev.app.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: bearer(tenant.token), payload: { url } });
        expect(res.statusCode, url).toBe(400);
      }
    } finally {
      await dev.close();
    }
  });
});
