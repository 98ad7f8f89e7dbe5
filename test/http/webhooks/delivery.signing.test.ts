import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SIGNING_KEY_PURPOSE } from '../../../src/modules/webhooks/endpoint.service.js';
import { createClient } from '../../../src/modules/oauth/client.service.js';
import { verifyStandardSignature, verifyUberSignature } from '../../../src/modules/webhooks/verify.js';
import { webhookWorker, type WebhookWorker } from '../../../src/modules/webhooks/webhook.worker.js';
import { bearer, createHarness, T0, type Harness } from '../../helpers/harness.js';
import { startReceiver, type Receiver } from '../../helpers/receiver.js';
import { deliveriesOf, generate, registerEndpoint } from '../../helpers/webhooks.js';

let h: Harness;
let worker: WebhookWorker;
let receiver: Receiver;
const signal = new AbortController().signal;

beforeAll(async () => {
  h = await createHarness({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_ENVIRONMENT: 'sandbox' } });
  worker = webhookWorker(h.ctx);
});
afterAll(async () => {
  await worker.close();
  await h.close();
});
afterEach(async () => {
  await receiver?.close();
});

const hex = (key: string, body: Buffer) => createHmac('sha256', key).update(body).digest('hex');
const standard = (key: string, id: string, ts: string, body: Buffer) =>
  `v1,${createHmac('sha256', Buffer.from(key.slice('whsec_'.length), 'base64')).update(Buffer.concat([Buffer.from(`${id}.${ts}.`), body])).digest('base64')}`;

describe('webhook delivery signatures and payload (docs/guarantees.md)', () => {
  it('signs the exact bytes it sends with X-Uber-Signature and Standard Webhooks, Uber payload shape', async () => {
    receiver = await startReceiver();
    const tenant = await h.seedTenant();
    const endpoint = await registerEndpoint(h, tenant.token, `${receiver.url}/hooks/uber`);
    expect(endpoint.signingKey).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const programId = await h.createProgram(tenant);
    await worker.run(h.ctx, signal);

    expect(receiver.requests).toHaveLength(1);
    const req = receiver.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/hooks/uber');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-environment']).toBe('sandbox');
    const id = req.headers['webhook-id'] as string;
    const ts = req.headers['webhook-timestamp'] as string;
    expect(ts).toBe(String(Math.floor(h.clock.now() / 1000)));
    // X-Uber-Signature: lowercase hex HMAC-SHA256 of the raw body, keyed with the key string.
    expect(req.headers['x-uber-signature']).toBe(hex(endpoint.signingKey, req.raw));
    expect(req.headers['x-uber-signature']).toMatch(/^[0-9a-f]{64}$/);
    // Standard Webhooks: v1,base64(HMAC(base64-decoded key, id.ts.body)).
    expect(req.headers['webhook-signature']).toBe(standard(endpoint.signingKey, id, ts, req.raw));
    expect(req.headers['x-uber-signature-previous']).toBeUndefined();
    // The receiver helper agrees, and rejects a tampered body or a wrong key.
    expect(verifyUberSignature(endpoint.signingKey, req.raw, req.headers['x-uber-signature'] as string)).toBe(true);
    expect(verifyStandardSignature(endpoint.signingKey, req.raw, req.headers as never, Number(ts))).toBe(true);
    const tampered = Buffer.from(req.raw.toString().replace('voucher_program_created', 'voucher_program_updated'));
    expect(verifyUberSignature(endpoint.signingKey, tampered, req.headers['x-uber-signature'] as string)).toBe(false);
    expect(verifyStandardSignature(endpoint.signingKey, tampered, req.headers as never, Number(ts))).toBe(false);
    expect(verifyStandardSignature(endpoint.signingKey, req.raw, req.headers as never, Number(ts) + 3600)).toBe(false);

    const body = JSON.parse(req.raw.toString('utf8'));
    expect(body).toEqual({
      organization_id: tenant.organizationId,
      event_type: 'voucher_program_created',
      campaign_organization_id: tenant.organizationId,
      voucher_program_id: programId,
      // Counters as decimal strings, as in Uber's published payload.
      total_number_of_codes: '5',
      code_scheme: 'MULTI_CODE_SINGLE_REDEEM',
      resource_href: `https://vouchers.test/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}`,
      webhook_meta: {
        client_id: tenant.clientId,
        // Uber's payload names the event type here; the endpoint is an extension beside it.
        webhook_config_id: 'voucher_program_created',
        webhook_endpoint_id: endpoint.id,
        webhook_msg_timestamp: Math.floor(T0 / 1000),
        webhook_msg_uuid: id,
      },
    });

    // Signed bytes = sent bytes = stored bytes; the log shows one successful attempt.
    const [row] = await deliveriesOf(h, endpoint.id);
    expect(row!.body).toBe(req.raw.toString('utf8'));
    expect(row!.id).toBe(id);
    expect(row!.status).toBe('SUCCEEDED');
    const log = await h.app.inject({ method: 'GET', url: `/v1/webhook-endpoints/${endpoint.id}/deliveries`, headers: bearer(tenant.token) });
    expect(log.statusCode).toBe(200);
    expect(log.json().deliveries).toMatchObject([
      { delivery_id: id, event_type: 'voucher_program_created', status: 'SUCCEEDED', attempts: 1, attempt_log: [{ attempt: 1, status_code: 200, error: null }] },
    ]);

    // Generate emits voucher_program_updated with its counters.
    expect((await generate(h, tenant, programId, 7)).statusCode).toBe(200);
    await worker.run(h.ctx, signal);
    expect(receiver.requests).toHaveLength(2);
    const updated = JSON.parse(receiver.requests[1]!.raw.toString());
    expect(updated).toMatchObject({ event_type: 'voucher_program_updated', number_of_codes: '7', total_number_of_codes: '12', voucher_program_id: programId });
    expect(receiver.requests[1]!.headers['x-uber-signature']).toBe(hex(endpoint.signingKey, receiver.requests[1]!.raw));
  });

  it('signs with both keys during a rotation overlap, then with the new key only', async () => {
    receiver = await startReceiver();
    const tenant = await h.seedTenant();
    const endpoint = await registerEndpoint(h, tenant.token, receiver.url);
    const rotate = await h.app.inject({
      method: 'POST',
      url: `/v1/webhook-endpoints/${endpoint.id}/rotate-key`,
      headers: bearer(tenant.token),
      payload: { overlap_seconds: 3600 },
    });
    expect(rotate.statusCode).toBe(200);
    const newKey = rotate.json().signing_key as string;
    expect(newKey).not.toBe(endpoint.signingKey);
    expect(rotate.json().previous_key_expires_at).toBe(h.clock.now() + 3600_000);
    const stored = await h.ctx.database.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', endpoint.id).executeTakeFirstOrThrow();
    expect(h.ctx.secrets().open(stored.signing_key, SIGNING_KEY_PURPOSE)).toBe(newKey);
    expect(h.ctx.secrets().open(stored.previous_signing_key!, SIGNING_KEY_PURPOSE)).toBe(endpoint.signingKey);

    await h.createProgram(tenant);
    await worker.run(h.ctx, signal);
    const during = receiver.requests[0]!;
    const sigs = (during.headers['webhook-signature'] as string).split(' ');
    expect(sigs).toHaveLength(2);
    const [id, ts] = [during.headers['webhook-id'] as string, during.headers['webhook-timestamp'] as string];
    expect(sigs).toEqual([standard(newKey, id, ts, during.raw), standard(endpoint.signingKey, id, ts, during.raw)]);
    expect(during.headers['x-uber-signature']).toBe(hex(newKey, during.raw));
    expect(during.headers['x-uber-signature-previous']).toBe(hex(endpoint.signingKey, during.raw));
    expect(verifyStandardSignature(endpoint.signingKey, during.raw, during.headers as never, Number(ts))).toBe(true);
    expect(verifyStandardSignature(newKey, during.raw, during.headers as never, Number(ts))).toBe(true);

    h.clock.advance(3600_000 + 1000);
    await h.createProgram({ ...tenant, token: await h.token(tenant.clientId, tenant.clientSecret) });
    await worker.run(h.ctx, signal);
    const after = receiver.requests[1]!;
    expect((after.headers['webhook-signature'] as string).split(' ')).toHaveLength(1);
    expect(after.headers['x-uber-signature-previous']).toBeUndefined();
    expect(verifyStandardSignature(endpoint.signingKey, after.raw, after.headers as never, Number(after.headers['webhook-timestamp']))).toBe(false);
    expect(verifyStandardSignature(newKey, after.raw, after.headers as never, Number(after.headers['webhook-timestamp']))).toBe(true);
  });

  it('fans out only to clients entitled to the organization, honouring event filters', async () => {
    receiver = await startReceiver();
    const tenant = await h.seedTenant();
    const other = await h.seedTenant();
    const own = await registerEndpoint(h, tenant.token, `${receiver.url}/own`);
    const filtered = await registerEndpoint(h, tenant.token, `${receiver.url}/filtered`, { event_types: ['voucher_program_updated'] });
    const foreign = await registerEndpoint(h, other.token, `${receiver.url}/foreign`);

    const aggregator = async (authorized: boolean, revoked: boolean) => {
      const client = await createClient(h.ctx, { kind: 'THIRD_PARTY', scopes: ['organizations.voucher_programs.aggregator'] });
      if (authorized) {
        await h.ctx.database.db
          .insertInto('organization_authorizations')
          .values({
            id: h.ctx.ids.next(),
            organization_id: tenant.organizationId,
            client_id: client.client_id,
            scope: 'organizations.voucher_programs.aggregator',
            approved_by_user_id: tenant.adminUserId,
            created_at: h.clock.now(),
            revoked_at: revoked ? h.clock.now() : null,
          })
          .execute();
      }
      const token = await h.token(client.client_id, client.client_secret, 'organizations.voucher_programs.aggregator');
      return registerEndpoint(h, token, `${receiver.url}/agg-${authorized}-${revoked}`);
    };
    const aggActive = await aggregator(true, false);
    const aggRevoked = await aggregator(true, true);
    const aggNone = await aggregator(false, false);

    await h.createProgram(tenant);
    await worker.run(h.ctx, signal);
    const paths = receiver.requests.map((r) => r.path).sort();
    expect(paths).toEqual(['/agg-true-false', '/own']);
    expect((await deliveriesOf(h, own.id)).length).toBe(1);
    expect((await deliveriesOf(h, aggActive.id)).length).toBe(1);
    for (const e of [filtered, foreign, aggRevoked, aggNone]) expect(await deliveriesOf(h, e.id)).toEqual([]);
    const aggBody = JSON.parse(receiver.requests.find((r) => r.path === '/agg-true-false')!.raw.toString());
    expect(aggBody.webhook_meta).toMatchObject({ webhook_config_id: 'voucher_program_created', webhook_endpoint_id: aggActive.id });
    expect(aggBody.organization_id).toBe(tenant.organizationId);
    // The outbox row is marked dispatched; a second run creates nothing new.
    await worker.run(h.ctx, signal);
    expect(receiver.requests).toHaveLength(2);
    const pending = await h.ctx.database.db.selectFrom('outbox_events').select('id').where('dispatched_at', 'is', null).execute();
    expect(pending).toEqual([]);
  });

  it('lets two dispatchers run at once and attempts each delivery exactly once', async () => {
    receiver = await startReceiver();
    const tenant = await h.seedTenant();
    await registerEndpoint(h, tenant.token, `${receiver.url}/a`);
    await registerEndpoint(h, tenant.token, `${receiver.url}/b`);
    for (let i = 0; i < 10; i += 1) await h.createProgram(tenant, { number_of_codes: 1 });
    const second = webhookWorker(h.ctx);
    await Promise.all([worker.run(h.ctx, signal), second.run(h.ctx, signal), worker.run(h.ctx, signal)]);
    await second.close();
    const ids = receiver.requests.map((r) => r.headers['webhook-id']);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
  });
});
