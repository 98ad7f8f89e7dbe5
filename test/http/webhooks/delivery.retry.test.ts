import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { webhookWorker, type WebhookWorker } from '../../../src/modules/webhooks/webhook.worker.js';
import { bearer, createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { ok, startReceiver, status, type Receiver } from '../../helpers/receiver.js';
import { deliveriesOf, registerEndpoint, type RegisteredEndpoint } from '../../helpers/webhooks.js';

let h: Harness;
let worker: WebhookWorker;
const receivers: Receiver[] = [];
const signal = new AbortController().signal;
const MAX_BYTES = 1024;

beforeAll(async () => {
  h = await createHarness({
    env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_TIMEOUT_MS: '1500', WEBHOOK_MAX_RESPONSE_BYTES: String(MAX_BYTES) },
  });
  worker = webhookWorker(h.ctx);
});
afterAll(async () => {
  await worker.close();
  await h.close();
});
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
});

async function setup(path = '/hook'): Promise<{ receiver: Receiver; tenant: Tenant; endpoint: RegisteredEndpoint }> {
  const receiver = await startReceiver();
  receivers.push(receiver);
  const tenant = await h.seedTenant();
  const endpoint = await registerEndpoint(h, tenant.token, `${receiver.url}${path}`);
  return { receiver, tenant, endpoint };
}

async function only(endpointId: string) {
  const rows = await deliveriesOf(h, endpointId);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

describe('webhook retries and receiver behaviour (docs/guarantees.md)', () => {
  it('receiver fails 3× then 200 → 4 attempts on the back-off schedule with the same message id', async () => {
    const { receiver, tenant, endpoint } = await setup();
    receiver.queue.push(status(500), status(502), status(500), ok);
    await h.createProgram(tenant);
    const base = 60_000;
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const before = h.clock.now();
      await worker.run(h.ctx, signal);
      expect(receiver.requests).toHaveLength(attempt);
      const row = await only(endpoint.id);
      expect(row.status).toBe('PENDING');
      expect(row.attempts).toBe(attempt);
      const delay = Number(row.next_attempt_at) - before;
      // base · 2^(n-1) with jitter in [0.8, 1.2).
      expect(delay).toBeGreaterThanOrEqual(0.8 * base * 2 ** (attempt - 1));
      expect(delay).toBeLessThan(1.2 * base * 2 ** (attempt - 1));
      // Not due yet: nothing is sent.
      h.clock.set(Number(row.next_attempt_at) - 1);
      await worker.run(h.ctx, signal);
      expect(receiver.requests).toHaveLength(attempt);
      h.clock.set(Number(row.next_attempt_at));
    }
    await worker.run(h.ctx, signal);
    expect(receiver.requests).toHaveLength(4);
    const ids = new Set(receiver.requests.map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    expect(new Set(receiver.requests.map((r) => r.raw.toString())).size).toBe(1);
    const row = await only(endpoint.id);
    expect(row.status).toBe('SUCCEEDED');
    expect(row.id).toBe([...ids][0]);
    const log = await h.app.inject({ method: 'GET', url: `/v1/webhook-endpoints/${endpoint.id}/deliveries`, headers: bearer(tenant.token) });
    expect(log.json().deliveries[0].attempt_log.map((a: { status_code: number }) => a.status_code)).toEqual([500, 502, 500, 200]);
  });

  it('gives up after the configured 7 attempts spread over about an hour', async () => {
    const { receiver, tenant, endpoint } = await setup();
    receiver.fallback = status(500);
    await h.createProgram(tenant);
    const start = h.clock.now();
    for (let i = 0; i < 10; i += 1) {
      await worker.run(h.ctx, signal);
      const row = await only(endpoint.id);
      if (row.status !== 'PENDING') break;
      h.clock.set(Number(row.next_attempt_at));
    }
    const row = await only(endpoint.id);
    expect(row.status).toBe('FAILED');
    expect(receiver.requests).toHaveLength(7);
    const span = h.clock.now() - start;
    expect(span).toBeGreaterThanOrEqual(0.8 * 63 * 60_000);
    expect(span).toBeLessThan(1.2 * 63 * 60_000);
  });

  it('honours Retry-After', async () => {
    const { receiver, tenant, endpoint } = await setup();
    receiver.queue.push(status(503, { 'retry-after': '900' }));
    await h.createProgram(tenant);
    const now = h.clock.now();
    await worker.run(h.ctx, signal);
    expect(receiver.requests).toHaveLength(1);
    const row = await only(endpoint.id);
    expect(row.status).toBe('PENDING');
    expect(Number(row.next_attempt_at)).toBe(now + 900_000);
  });

  it('410 Gone disables the endpoint and stops its deliveries', async () => {
    const { receiver, tenant, endpoint } = await setup();
    receiver.queue.push(status(410));
    await h.createProgram(tenant);
    await worker.run(h.ctx, signal);
    expect(receiver.requests).toHaveLength(1);
    expect((await only(endpoint.id)).status).toBe('FAILED');
    const get = await h.app.inject({ method: 'GET', url: `/v1/webhook-endpoints/${endpoint.id}`, headers: bearer(tenant.token) });
    expect(get.json()).toMatchObject({ status: 'DISABLED', disabled_reason: 'receiver answered 410 Gone' });
    await h.createProgram(tenant);
    await worker.run(h.ctx, signal);
    expect(receiver.requests).toHaveLength(1);
    expect(await deliveriesOf(h, endpoint.id)).toHaveLength(1);
  });

  it('does not follow redirects', async () => {
    const { receiver, tenant, endpoint } = await setup();
    const target = await startReceiver();
    receivers.push(target);
    receiver.queue.push(status(307, { location: `${target.url}/elsewhere` }));
    await h.createProgram(tenant);
    await worker.run(h.ctx, signal);
    expect(receiver.requests).toHaveLength(1);
    expect(target.requests).toHaveLength(0);
    const row = await only(endpoint.id);
    expect(row.status).toBe('PENDING');
    expect(row.last_status_code).toBe(307);
    expect(row.last_error).toMatch(/redirect/);
  });

  it('times out a slow receiver', async () => {
    const { receiver, tenant, endpoint } = await setup();
    let answered = false;
    receiver.queue.push((_req, res) => {
      const timer = setTimeout(() => {
        answered = true;
        res.writeHead(200).end('late');
      }, 5_000);
      res.on('close', () => clearTimeout(timer));
    });
    await h.createProgram(tenant);
    await worker.run(h.ctx, signal);
    expect(answered).toBe(false);
    const row = await only(endpoint.id);
    expect(row.status).toBe('PENDING');
    expect(row.last_status_code).toBeNull();
    expect(row.last_error).toMatch(/timeout/i);
  });

  it('does not read a huge response body past the cap', async () => {
    const { receiver, tenant, endpoint } = await setup();
    let closed!: () => void;
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
    let sent = 0;
    receiver.queue.push((_req, res) => {
      // An endless body: reading it all would never finish.
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (!res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) break;
        }
      };
      res.on('drain', pump);
      res.on('close', () => closed());
      pump();
    });
    await h.createProgram(tenant);
    await worker.run(h.ctx, signal);
    await connectionClosed;
    const row = await only(endpoint.id);
    expect(row.status).toBe('SUCCEEDED');
    const attempts = await h.ctx.database.db.selectFrom('webhook_delivery_attempts').selectAll().where('delivery_id', '=', row.id).execute();
    expect(attempts).toHaveLength(1);
    expect(attempts[0]!.response_excerpt).toHaveLength(MAX_BYTES);
    expect(sent).toBeGreaterThan(0);
  });

  it('re-sends a delivery on request, with the same message id', async () => {
    const { receiver, tenant, endpoint } = await setup();
    await h.createProgram(tenant);
    await worker.run(h.ctx, signal);
    const row = await only(endpoint.id);
    expect(row.status).toBe('SUCCEEDED');
    const other = await h.seedTenant();
    const foreign = await h.app.inject({
      method: 'POST',
      url: `/v1/webhook-endpoints/${endpoint.id}/deliveries/${row.id}/resend`,
      headers: bearer(other.token),
    });
    expect(foreign.statusCode).toBe(404);
    const res = await h.app.inject({
      method: 'POST',
      url: `/v1/webhook-endpoints/${endpoint.id}/deliveries/${row.id}/resend`,
      headers: bearer(tenant.token),
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ delivery_id: row.id, status: 'PENDING', attempts: 0 });
    await worker.run(h.ctx, signal);
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[1]!.headers['webhook-id']).toBe(row.id);
    expect(receiver.requests[1]!.raw.equals(receiver.requests[0]!.raw)).toBe(true);
    expect((await only(endpoint.id)).status).toBe('SUCCEEDED');
  });
});
