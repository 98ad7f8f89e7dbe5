import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, json, type Harness } from '../../helpers/harness.js';

/** docs/webhooks.md, SSRF guard: IPv6 spellings of private/metadata IPv4 addresses are refused. */
const METADATA_FORMS = [
  'http://[::169.254.169.254]/latest/meta-data/',
  'http://[::a9fe:a9fe]/',
  'http://[::ffff:169.254.169.254]/',
  'http://[64:ff9b::169.254.169.254]/',
  'http://[64:ff9b:1::a9fe:a9fe]/',
  'http://[2002:a9fe:a9fe::1]/',
  'http://[2001:0:5db8:d8e4:8000:63bf:5601:5601]/',
];
const LOOPBACK_FORMS = ['http://[::127.0.0.1]:9/', 'http://[::7f00:1]:9/', 'http://[64:ff9b::7f00:1]:9/', 'http://[2002:7f00:1::]:9/'];

let prod: Harness;
let dev: Harness;
beforeAll(async () => {
  prod = await createHarness();
  dev = await createHarness({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
});
afterAll(async () => {
  await prod?.close();
  await dev?.close();
});

async function register(h: Harness, url: string) {
  const tenant = await h.seedTenant();
  const res = await h.app.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: bearer(tenant.token), payload: { url } });
  const rows = await h.ctx.database.db.selectFrom('webhook_endpoints').select('id').where('client_id', '=', tenant.clientId).execute();
  return { res, rows };
}

describe('webhook registration: IPv6 forms embedding IPv4', () => {
  it.each([...METADATA_FORMS, ...LOOPBACK_FORMS])('refuses %s in production with 400', async (url) => {
    const { res, rows } = await register(prod, url);
    expect(res.statusCode).toBe(400);
    expect(json(res)).toMatchObject({ code: 'invalid_request', metadata: { field: 'url' } });
    expect(rows).toEqual([]);
  });

  it.each(METADATA_FORMS)('refuses %s even with WEBHOOK_ALLOW_PRIVATE_TARGETS', async (url) => {
    const { res, rows } = await register(dev, url);
    expect(res.statusCode).toBe(400);
    expect(json(res)).toMatchObject({ code: 'invalid_request', metadata: { field: 'url' } });
    expect(rows).toEqual([]);
  });

  it('with WEBHOOK_ALLOW_PRIVATE_TARGETS an embedded loopback is loopback (allowed, like 127.0.0.1)', async () => {
    const { res } = await register(dev, 'http://[::127.0.0.1]:9/');
    expect(res.statusCode).toBe(201);
  });
});
