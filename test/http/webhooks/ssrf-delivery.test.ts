import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTransport } from '../../../src/modules/webhooks/sender.js';
import type { Resolver } from '../../../src/modules/webhooks/ssrf.js';
import { webhookWorker } from '../../../src/modules/webhooks/webhook.worker.js';
import { createHarness, type Harness } from '../../helpers/harness.js';
import { startReceiver, type Receiver } from '../../helpers/receiver.js';
import { deliveriesOf } from '../../helpers/webhooks.js';

let h: Harness;
let receiver: Receiver;
const signal = new AbortController().signal;

beforeAll(async () => {
  h = await createHarness(); // WEBHOOK_ALLOW_PRIVATE_TARGETS defaults to false
});
afterAll(async () => {
  await h.close();
});
afterEach(async () => {
  await receiver?.close();
});

/** An endpoint row written directly: a target that passed registration but is private at delivery time. */
async function endpointRow(clientId: string, url: string): Promise<string> {
  const id = h.ctx.ids.next();
  const now = h.clock.now();
  await h.ctx.database.db
    .insertInto('webhook_endpoints')
    .values({
      id,
      client_id: clientId,
      url,
      event_types: null,
      description: null,
      signing_key: 'whsec_dGVzdGtleXRlc3RrZXl0ZXN0a2V5dGVzdGtleXg=',
      previous_signing_key: null,
      previous_key_expires_at: null,
      status: 'ENABLED',
      disabled_reason: null,
      created_at: now,
      updated_at: now,
      deleted_at: null,
    })
    .execute();
  return id;
}

const resolveTo =
  (...addresses: string[]): Resolver =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('SSRF guard at delivery time (docs/guarantees.md)', () => {
  it('refuses to send to a loopback address even if the endpoint row says so', async () => {
    receiver = await startReceiver();
    const tenant = await h.seedTenant();
    const endpointId = await endpointRow(tenant.clientId, `http://2130706433:${receiver.port}/`);
    await h.createProgram(tenant);
    const worker = webhookWorker(h.ctx);
    await worker.run(h.ctx, signal);
    await worker.close();
    expect(receiver.requests).toHaveLength(0);
    const [row] = await deliveriesOf(h, endpointId);
    expect(row!.status).toBe('PENDING');
    expect(row!.last_error).toMatch(/refused target: 127\.0\.0\.1 is a loopback address/);
  });

  it('checks DNS answers when connecting and connects only to the checked address', async () => {
    receiver = await startReceiver();
    const tenant = await h.seedTenant();
    // A name that resolves (through the injected resolver) to loopback: refused without the dev flag.
    const endpointId = await endpointRow(tenant.clientId, `http://hooks.rebind.test:${receiver.port}/x`);
    const refusing = createTransport({ allowPrivate: false, timeoutMs: 2000, maxResponseBytes: 1024, resolver: resolveTo('127.0.0.1') });
    const worker = webhookWorker(h.ctx, { transport: refusing.send });
    await h.createProgram(tenant);
    await worker.run(h.ctx, signal);
    await refusing.close();
    expect(receiver.requests).toHaveLength(0);
    const [row] = await deliveriesOf(h, endpointId);
    expect(row!.last_error).toMatch(/hooks\.rebind\.test resolves to 127\.0\.0\.1 is a loopback address/);

    // One bad answer among good ones refuses the host.
    const mixed = createTransport({ allowPrivate: false, timeoutMs: 2000, maxResponseBytes: 1024, resolver: resolveTo('93.184.215.14', '10.0.0.1') });
    const res = await mixed.send({ url: `http://hooks.rebind.test:${receiver.port}/`, headers: {}, body: '{}' });
    await mixed.close();
    expect(res.statusCode).toBeNull();
    expect(res.error).toMatch(/10\.0\.0\.1 is a private address/);

    // With the dev flag the same name reaches the receiver: the socket went to the address our
    // lookup checked (the name exists in no real DNS).
    const allowing = createTransport({ allowPrivate: true, timeoutMs: 2000, maxResponseBytes: 1024, resolver: resolveTo('127.0.0.1') });
    const sent = await allowing.send({ url: `http://hooks.rebind.test:${receiver.port}/pinned`, headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    await allowing.close();
    expect(sent.statusCode).toBe(200);
    expect(receiver.requests.map((r) => r.path)).toEqual(['/pinned']);
    // Metadata stays refused with the dev flag.
    const meta = createTransport({ allowPrivate: true, timeoutMs: 2000, maxResponseBytes: 1024, resolver: resolveTo('169.254.169.254') });
    const metaRes = await meta.send({ url: 'http://metadata.rebind.test/', headers: {}, body: '{}' });
    await meta.close();
    expect(metaRes.error).toMatch(/linkLocal/);
  });
});
