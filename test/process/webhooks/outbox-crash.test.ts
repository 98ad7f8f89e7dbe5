import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { createContext, type AppContext } from '../../../src/context.js';
import { bootstrap } from '../../../src/modules/oauth/bootstrap.service.js';
import { recordEvent } from '../../../src/modules/webhooks/outbox.js';
import { webhookWorker } from '../../../src/modules/webhooks/webhook.worker.js';
import { createTestDatabase, TEST_SECRETS_KEY, type TestDatabase } from '../../helpers/database.js';
import { programBody } from '../../helpers/harness.js';
import { startReceiver, type Receiver } from '../../helpers/receiver.js';
import { startServerProcess, waitFor, type ServerProcess } from '../../helpers/processes.js';

let testDb: TestDatabase;
let ctx: AppContext;
let receiver: Receiver;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  // The child servers run on the real clock; this process seeds and inspects the same database.
  ctx = createContext(loadConfig({ SECRETS_KEY: TEST_SECRETS_KEY, DEMO_BOOTSTRAP: 'false', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' }), testDb.database);
  receiver = await startReceiver();
});
afterAll(async () => {
  for (const s of servers) await s.stop('SIGKILL');
  await receiver.close();
  await testDb.drop();
});

async function serve(env: Record<string, string>): Promise<ServerProcess> {
  const server = await startServerProcess({ DATABASE_URL: testDb.url, WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', ...env });
  servers.push(server);
  return server;
}

async function api(server: ServerProcess, method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('transactional outbox survives SIGKILL (docs/guarantees.md)', () => {
  it('delivers an event committed before a kill, and one cut off mid-delivery, after restart', async () => {
    const tenant = await bootstrap(ctx, { orgName: 'Crash Org', adminEmail: 'crash@example.com', adminPassword: 'correct horse battery staple' });
    const db = testDb.database.db;

    // Server 1 runs the webhook worker once at start, then not for 10 minutes: an event committed
    // now waits in the outbox when the process is killed.
    const first = await serve({ WEBHOOK_POLL_INTERVAL_MS: '600000' });
    const tokenRes = await fetch(`${first.url}/oauth/v2/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${tenant.client.client_id}:${tenant.client.client_secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials&scope=organizations.voucher_programs',
    });
    const token = ((await tokenRes.json()) as { access_token: string }).access_token;
    const endpoint = await api(first, 'POST', '/v1/webhook-endpoints', token, { url: `${receiver.url}/crash` });
    expect(endpoint.status).toBe(201);
    const created = await api(first, 'POST', `/v1/organizations/${tenant.organization_id}/voucher-programs`, token, programBody(Date.now()));
    expect(created.status).toBe(200);
    const programId = created.body.voucher_program_id as string;
    await first.stop('SIGKILL');
    const events = await db.selectFrom('outbox_events').selectAll().where('voucher_program_id', '=', programId).execute();
    expect(events).toHaveLength(1);
    expect(events[0]!.dispatched_at).toBeNull();
    expect(receiver.requests).toHaveLength(0);

    // Server 2 picks the event up; the receiver holds the first attempt open and the server is
    // killed in the middle of the delivery.
    let inFlight!: () => void;
    const attemptStarted = new Promise<void>((resolve) => (inFlight = resolve));
    receiver.queue.push(() => inFlight());
    const second = await serve({ WEBHOOK_POLL_INTERVAL_MS: '100', WEBHOOK_TIMEOUT_MS: '2000' });
    await attemptStarted;
    await second.stop('SIGKILL');
    const [claimed] = await db.selectFrom('webhook_deliveries').selectAll().where('event_id', '=', events[0]!.id).execute();
    expect(claimed!.status).toBe('PENDING');
    expect(claimed!.lease_holder).not.toBeNull();

    // Server 3: once the dead process's lease expires, the same message is delivered.
    const third = await serve({ WEBHOOK_POLL_INTERVAL_MS: '100' });
    const delivered = await waitFor(
      async () => (await db.selectFrom('webhook_deliveries').selectAll().where('id', '=', claimed!.id).where('status', '=', 'SUCCEEDED').executeTakeFirst()) ?? null,
      'delivery after restart',
      300,
    );
    expect(delivered.attempts).toBe(2);
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([claimed!.id, claimed!.id]);
    expect(receiver.requests[1]!.raw.toString()).toBe(claimed!.body);
    expect(JSON.parse(claimed!.body)).toMatchObject({ event_type: 'voucher_program_created', voucher_program_id: programId });
    await third.stop('SIGKILL');
  });

  it('records no event for a rolled-back change', async () => {
    const tenant = await bootstrap(ctx, { orgName: 'Rollback Org', adminEmail: 'rollback@example.com', adminPassword: 'correct horse battery staple' });
    const db = testDb.database.db;
    await expect(
      db.transaction().execute(async (trx) => {
        await recordEvent(ctx, trx, { eventType: 'voucher_program_updated', organizationId: tenant.organization_id, data: { n: 1 } });
        throw new Error('business rule failed after the event was written');
      }),
    ).rejects.toThrow('business rule failed');
    expect(await db.selectFrom('outbox_events').select('id').where('organization_id', '=', tenant.organization_id).execute()).toEqual([]);
    const before = receiver.requests.length;
    const worker = webhookWorker(ctx);
    await worker.run(ctx, new AbortController().signal);
    await worker.close();
    expect(receiver.requests).toHaveLength(before);
    expect(await db.selectFrom('webhook_deliveries').select('id').where('organization_id', '=', tenant.organization_id).execute()).toEqual([]);
  });
});
