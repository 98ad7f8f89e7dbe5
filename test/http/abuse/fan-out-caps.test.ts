import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { setNotifier, type GuestNotification } from '../../../src/modules/guests/notifier.js';
import { webhookWorker } from '../../../src/modules/webhooks/webhook.worker.js';
import { bearer, createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { burst, countStatuses, listenReal, type RealHttp } from '../../helpers/http-burst.js';

const ENDPOINT_CAP = 20;
const NOTIFY_CAP = 50;
const WINDOW_SECONDS = 3600;

let h: Harness;
let http: RealHttp;
/** Outbound delivery is the one thing tests may fake: this notifier records what would be sent. */
const sent: GuestNotification[] = [];
beforeAll(async () => {
  h = await createHarness({
    env: { GUEST_NOTIFICATIONS_PER_PROGRAM: String(NOTIFY_CAP), GUEST_NOTIFICATIONS_WINDOW_SECONDS: String(WINDOW_SECONDS) },
  });
  setNotifier(h.ctx, { send: async (messages) => void sent.push(...messages) });
  http = await listenReal(h);
});
afterAll(async () => {
  await http.close();
  await h.close();
});

const json = (token: string) => ({ ...bearer(token), 'content-type': 'application/json' });
const PUBLIC_URL = 'https://93.184.215.14/hooks';

describe('H11: webhook endpoints per client are capped (docs/webhooks.md, Fan-out caps)', () => {
  it('defaults: 20 endpoints per client, 1,000 guest notifications per program per hour', () => {
    const config = loadConfig({ PUBLIC_URL: 'https://vouchers.test' });
    expect(config.maxWebhookEndpointsPerClient).toBe(20);
    expect(config.guestNotificationsPerProgram).toBe(1000);
    expect(config.guestNotificationsWindowSeconds).toBe(3600);
    expect(() => loadConfig({ PUBLIC_URL: 'https://vouchers.test', MAX_WEBHOOK_ENDPOINTS_PER_CLIENT: '0' })).toThrow(/MAX_WEBHOOK_ENDPOINTS_PER_CLIENT/);
    expect(() => loadConfig({ PUBLIC_URL: 'https://vouchers.test', GUEST_NOTIFICATIONS_PER_PROGRAM: 'lots' })).toThrow(/GUEST_NOTIFICATIONS_PER_PROGRAM/);
  });

  it('a burst of 50 parallel creates ends with exactly the cap; the rest answer 400 naming the limit; a removal frees a slot', async () => {
    const tenant = await h.seedTenant();
    const results = await burst(50, (i) => http.send('POST', '/v1/webhook-endpoints', { headers: json(tenant.token), body: JSON.stringify({ url: `${PUBLIC_URL}/${i}` }) }));
    expect(countStatuses(results.map((r) => r.status))).toEqual({ 201: ENDPOINT_CAP, 400: 50 - ENDPOINT_CAP });
    const refused = JSON.parse(results.find((r) => r.status === 400)!.body);
    expect(refused.code).toBe('invalid_request');
    expect(refused.message).toContain(String(ENDPOINT_CAP));
    expect(refused.metadata).toMatchObject({ limit: ENDPOINT_CAP });
    const live = await h.ctx.database.db.selectFrom('webhook_endpoints').select('id').where('client_id', '=', tenant.clientId).where('deleted_at', 'is', null).execute();
    expect(live).toHaveLength(ENDPOINT_CAP);

    const removed = await http.send('DELETE', `/v1/webhook-endpoints/${live[0]!.id}`, { headers: bearer(tenant.token) });
    expect(removed.status).toBe(204);
    const again = await http.send('POST', '/v1/webhook-endpoints', { headers: json(tenant.token), body: JSON.stringify({ url: PUBLIC_URL }) });
    expect(again.status, again.body).toBe(201);
    const over = await http.send('POST', '/v1/webhook-endpoints', { headers: json(tenant.token), body: JSON.stringify({ url: PUBLIC_URL }) });
    expect(over.status).toBe(400);

    // One event now fans out to at most the cap of this client's endpoints.
    await h.createProgram(tenant);
    const worker = webhookWorker(h.ctx, { transport: async () => ({ statusCode: 200, retryAfter: null, responseExcerpt: null, error: null }) });
    await worker.run(h.ctx, new AbortController().signal);
    await worker.close();
    const deliveries = await h.ctx.database.db.selectFrom('webhook_deliveries').select('id').where('client_id', '=', tenant.clientId).execute();
    expect(deliveries).toHaveLength(ENDPOINT_CAP);
  });
});

async function singleCodeProgram(tenant: Tenant): Promise<string> {
  const res = await http.send('POST', `/v1/organizations/${tenant.organizationId}/voucher-programs`, {
    headers: json(tenant.token),
    body: JSON.stringify({ name: 'Gala', currency_code: 'EUR', starts_at: h.clock.now(), ends_at: h.clock.now() + 30 * 86_400_000, code_scheme: 'SINGLE_CODE_MULTI_REDEEM', redemptions_per_code: 50, value_per_trip_max_amount: 20 }),
  });
  expect(res.status, res.body).toBe(200);
  return JSON.parse(res.body).voucher_program_id as string;
}

const addGuests = (tenant: Tenant, programId: string, emails: string[], extra: Record<string, unknown> = {}) =>
  http.send('POST', `/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}/add-guests`, {
    headers: json(tenant.token),
    body: JSON.stringify({ guests: emails.map((email) => ({ email })), ...extra }),
  });

const guestCount = async (programId: string) =>
  (await h.ctx.database.db.selectFrom('program_guests').select('id').where('program_id', '=', programId).execute()).length;

describe('H11: guest notifications per program are capped per window (docs/programs.md, Notification budget)', () => {
  it('20 parallel add-guests of 5 guests each against a budget of 50: exactly 10 are notified, 10 answer 429 with Retry-After and add nothing', async () => {
    const tenant = await h.seedTenant();
    const programId = await singleCodeProgram(tenant);
    sent.length = 0;
    const results = await burst(20, (i) => addGuests(tenant, programId, Array.from({ length: 5 }, (_, j) => `g${i}-${j}@example.com`)));
    expect(countStatuses(results.map((r) => r.status))).toEqual({ 200: 10, 429: 10 });
    const limited = results.find((r) => r.status === 429)!;
    expect(JSON.parse(limited.body).code).toBe('rate_limited');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
    expect(sent).toHaveLength(NOTIFY_CAP);
    expect(await guestCount(programId)).toBe(NOTIFY_CAP);

    // Adding guests without notifications is not charged; another program has its own budget.
    const quiet = await addGuests(tenant, programId, ['quiet@example.com'], { send_notifications: false });
    expect(quiet.status, quiet.body).toBe(200);
    const otherProgram = await singleCodeProgram(tenant);
    expect((await addGuests(tenant, otherProgram, ['other@example.com'])).status).toBe(200);
    // Distributing to the quiet guest is a notification too: the spent budget refuses it, nothing changes.
    const distribute = await http.send('POST', `/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}/codes/distribute`, { headers: json(tenant.token), body: '{}' });
    expect(distribute.status).toBe(429);
    expect(sent).toHaveLength(NOTIFY_CAP + 1);

    // After the window the refused request succeeds as is.
    h.clock.advance(retryAfter * 1000);
    const later = { ...tenant, token: await h.token(tenant.clientId, tenant.clientSecret) };
    const retried = await addGuests(later, programId, Array.from({ length: 5 }, (_, j) => `late-${j}@example.com`));
    expect(retried.status, retried.body).toBe(200);
    expect(sent).toHaveLength(NOTIFY_CAP + 1 + 5);
  });

  it('a request notifying more guests than the whole budget answers 400 (waiting would not help), nothing written', async () => {
    const tenant = await h.seedTenant();
    const programId = await singleCodeProgram(tenant);
    sent.length = 0;
    const res = await addGuests(tenant, programId, Array.from({ length: NOTIFY_CAP + 1 }, (_, j) => `big-${j}@example.com`));
    expect(res.status).toBe(400);
    const body = JSON.parse(res.body);
    expect(body.code).toBe('invalid_request');
    expect(body.message).toContain(String(NOTIFY_CAP));
    expect(sent).toHaveLength(0);
    expect(await guestCount(programId)).toBe(0);
  });
});
