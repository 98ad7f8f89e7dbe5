import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { authorizeOrganization, revokeOrganization } from '../../../src/modules/business/business.service.js';
import { createClient, type CreatedClient } from '../../../src/modules/oauth/client.service.js';
import { disableClient } from '../../../src/modules/oauth/client-disable.service.js';
import { webhookWorker, type WebhookWorker } from '../../../src/modules/webhooks/webhook.worker.js';
import { bearer, createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { startReceiver, status, type Receiver } from '../../helpers/receiver.js';
import { deliveriesOf, registerEndpoint, type RegisteredEndpoint } from '../../helpers/webhooks.js';

let h: Harness;
let worker: WebhookWorker;
const receivers: Receiver[] = [];
const signal = new AbortController().signal;

beforeAll(async () => {
  h = await createHarness({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
  worker = webhookWorker(h.ctx);
});
afterAll(async () => {
  await worker.close();
  await h.close();
});
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
});

interface Setup {
  receiver: Receiver;
  tenant: Tenant;
  aggregator: CreatedClient;
  token: string;
  endpoint: RegisteredEndpoint;
}

/** An aggregator authorized by the tenant's admin, with one endpoint on a real receiver. */
async function setup(): Promise<Setup> {
  const receiver = await startReceiver();
  receivers.push(receiver);
  const tenant = await h.seedTenant();
  const aggregator = await createClient(h.ctx, { kind: 'THIRD_PARTY', name: 'Platform', scopes: ['organizations.voucher_programs.aggregator'] });
  await authorizeOrganization(h.ctx, tenant.organizationId, aggregator.client_id, tenant.adminUserId);
  const token = await h.token(aggregator.client_id, aggregator.client_secret, 'organizations.voucher_programs.aggregator');
  const endpoint = await registerEndpoint(h, token, `${receiver.url}/agg`);
  return { receiver, tenant, aggregator, token, endpoint };
}

const resend = (s: Setup, deliveryId: string) =>
  h.app.inject({ method: 'POST', url: `/v1/webhook-endpoints/${s.endpoint.id}/deliveries/${deliveryId}/resend`, headers: bearer(s.token) });

describe('H10: webhook deliveries follow the organization authorization (docs/webhooks.md, Entitlement)', () => {
  it('a de-authorized aggregator cannot re-send the organization’s old deliveries; re-authorized it can again', async () => {
    const s = await setup();
    await h.createProgram(s.tenant);
    await worker.run(h.ctx, signal);
    expect(s.receiver.requests).toHaveLength(1);
    const [delivery] = await deliveriesOf(h, s.endpoint.id);
    expect(delivery!.status).toBe('SUCCEEDED');

    await revokeOrganization(h.ctx, s.tenant.organizationId, s.aggregator.client_id);
    const refused = await resend(s, delivery!.id);
    expect(refused.statusCode, refused.body).toBe(403);
    expect(refused.json().code).toBe('unauthorized');
    // Nothing was queued and nothing is sent.
    expect((await deliveriesOf(h, s.endpoint.id))[0]!.status).toBe('SUCCEEDED');
    await worker.run(h.ctx, signal);
    expect(s.receiver.requests).toHaveLength(1);

    await authorizeOrganization(h.ctx, s.tenant.organizationId, s.aggregator.client_id, s.tenant.adminUserId);
    const accepted = await resend(s, delivery!.id);
    expect(accepted.statusCode, accepted.body).toBe(202);
    await worker.run(h.ctx, signal);
    expect(s.receiver.requests).toHaveLength(2);
  });

  it('a pending retry of a de-authorized aggregator is not sent: it is closed as FAILED with the reason in the delivery log', async () => {
    const s = await setup();
    s.receiver.queue.push(status(500));
    await h.createProgram(s.tenant);
    await worker.run(h.ctx, signal);
    expect(s.receiver.requests).toHaveLength(1);
    const [pending] = await deliveriesOf(h, s.endpoint.id);
    expect(pending!.status).toBe('PENDING');

    await revokeOrganization(h.ctx, s.tenant.organizationId, s.aggregator.client_id);
    h.clock.set(Number(pending!.next_attempt_at));
    await worker.run(h.ctx, signal);
    expect(s.receiver.requests).toHaveLength(1);
    const [closed] = await deliveriesOf(h, s.endpoint.id);
    expect(closed!.status).toBe('FAILED');
    expect(closed!.last_error).toBe('client no longer authorized for the organization');

    const log = await h.app.inject({ method: 'GET', url: `/v1/webhook-endpoints/${s.endpoint.id}/deliveries`, headers: bearer(s.token) });
    expect(log.statusCode).toBe(200);
    expect(log.json().deliveries[0]).toMatchObject({ delivery_id: pending!.id, status: 'FAILED', last_error: 'client no longer authorized for the organization' });
  });

  it('a pending retry of a disabled client is not sent', async () => {
    const s = await setup();
    s.receiver.queue.push(status(500));
    await h.createProgram(s.tenant);
    await worker.run(h.ctx, signal);
    const [pending] = await deliveriesOf(h, s.endpoint.id);
    expect(pending!.status).toBe('PENDING');

    await disableClient(h.ctx, s.aggregator.client_id);
    h.clock.set(Number(pending!.next_attempt_at));
    await worker.run(h.ctx, signal);
    expect(s.receiver.requests).toHaveLength(1);
    const [closed] = await deliveriesOf(h, s.endpoint.id);
    expect(closed!.status).toBe('FAILED');
    expect(closed!.last_error).toBe('client disabled');
  });

  it('a first-party client keeps re-sending its own organization’s deliveries', async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const tenant = await h.seedTenant();
    const endpoint = await registerEndpoint(h, tenant.token, `${receiver.url}/own`);
    await h.createProgram(tenant);
    await worker.run(h.ctx, signal);
    const [delivery] = await deliveriesOf(h, endpoint.id);
    const res = await h.app.inject({ method: 'POST', url: `/v1/webhook-endpoints/${endpoint.id}/deliveries/${delivery!.id}/resend`, headers: bearer(tenant.token) });
    expect(res.statusCode, res.body).toBe(202);
    await worker.run(h.ctx, signal);
    expect(receiver.requests).toHaveLength(2);
  });
});
