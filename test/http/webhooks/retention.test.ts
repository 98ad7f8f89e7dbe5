import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookRetentionWorker } from '../../../src/modules/webhooks/retention.worker.js';
import { webhookWorker } from '../../../src/modules/webhooks/webhook.worker.js';
import { createHarness, DAY, type Harness } from '../../helpers/harness.js';
import { ok, startReceiver, status, type Receiver } from '../../helpers/receiver.js';
import { deliveriesOf, registerEndpoint } from '../../helpers/webhooks.js';

let h: Harness;
let receiver: Receiver;
const signal = new AbortController().signal;
beforeAll(async () => {
  h = await createHarness({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
  await h.close();
});

describe('webhook retention (WEBHOOK_RETENTION_DAYS)', () => {
  it('deletes finished deliveries, their attempts and dispatched events after the retention, keeps pending ones', async () => {
    const tenant = await h.seedTenant();
    const done = await registerEndpoint(h, tenant.token, `${receiver.url}/done`);
    const failing = await registerEndpoint(h, tenant.token, `${receiver.url}/failing`);
    receiver.fallback = (req, res, received) => (req.url === '/failing' ? status(503, { 'retry-after': String(40 * 86_400) }) : ok)(req, res, received);
    await h.createProgram(tenant);
    const worker = webhookWorker(h.ctx);
    await worker.run(h.ctx, signal);
    await worker.close();
    expect((await deliveriesOf(h, done.id)).map((d) => d.status)).toEqual(['SUCCEEDED']);
    expect((await deliveriesOf(h, failing.id)).map((d) => d.status)).toEqual(['PENDING']);
    const db = h.ctx.database.db;

    h.clock.advance(30 * DAY - 1);
    await webhookRetentionWorker.run(h.ctx, signal);
    expect(await deliveriesOf(h, done.id)).toHaveLength(1);

    h.clock.advance(2);
    await webhookRetentionWorker.run(h.ctx, signal);
    expect(await deliveriesOf(h, done.id)).toEqual([]);
    expect((await deliveriesOf(h, failing.id)).map((d) => d.status)).toEqual(['PENDING']);
    const pendingId = (await deliveriesOf(h, failing.id))[0]!.id;
    const attempts = await db.selectFrom('webhook_delivery_attempts').select('delivery_id').execute();
    expect(attempts.map((a) => a.delivery_id)).toEqual([pendingId]);
    expect(await db.selectFrom('outbox_events').select('id').where('organization_id', '=', tenant.organizationId).execute()).toEqual([]);
  });
});
