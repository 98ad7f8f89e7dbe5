import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { createContext, type AppContext } from '../../../src/context.js';
import { bootstrap } from '../../../src/modules/oauth/bootstrap.service.js';
import { createEndpoint } from '../../../src/modules/webhooks/endpoint.service.js';
import { recordEvent } from '../../../src/modules/webhooks/outbox.js';
import { createTestDatabase, TEST_SECRETS_KEY, type TestDatabase } from '../../helpers/database.js';
import { startReceiver, type Receiver } from '../../helpers/receiver.js';
import { startServerProcess, waitFor, type ServerProcess } from '../../helpers/processes.js';
import { unitOfWork } from '../../../src/db/unit-of-work.js';

let testDb: TestDatabase;
let ctx: AppContext;
let receiver: Receiver;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = createContext(loadConfig({ SECRETS_KEY: TEST_SECRETS_KEY, DEMO_BOOTSTRAP: 'false', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' }), testDb.database);
  receiver = await startReceiver();
});
afterAll(async () => {
  for (const s of servers) await s.stop('SIGKILL');
  await receiver.close();
  await testDb.drop();
});

describe('several voucherd processes share the webhook work (docs/architecture.md, Scale-out)', () => {
  it('delivers every event exactly once when two servers run the dispatcher on one database', async () => {
    const tenant = await bootstrap(ctx, { orgName: 'Two Procs', adminEmail: 'two@example.com', adminPassword: 'correct horse battery staple' });
    await createEndpoint(ctx, { clientId: tenant.client.client_id, url: `${receiver.url}/a` }, unitOfWork(ctx.database));
    await createEndpoint(ctx, { clientId: tenant.client.client_id, url: `${receiver.url}/b` }, unitOfWork(ctx.database));
    // Each attempt is slow enough that both processes are busy at the same time.
    receiver.fallback = (_req, res) => {
      setTimeout(() => res.writeHead(200).end('ok'), 20);
    };
    const env = { DATABASE_URL: testDb.url, WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_POLL_INTERVAL_MS: '50', WEBHOOK_CONCURRENCY: '4' };
    servers.push(await startServerProcess(env), await startServerProcess(env));
    const events = 40;
    await testDb.database.db.transaction().execute(async (trx) => {
      for (let i = 0; i < events; i += 1) {
        await recordEvent(ctx, trx, { eventType: 'voucher_program_updated', organizationId: tenant.organization_id, voucherProgramId: ctx.ids.next(), data: { n: i } });
      }
    });
    await waitFor(async () => receiver.requests.length >= 2 * events, 'all deliveries', 600);
    // Every delivery row reached its final state, so none is claimable again; then both processes
    // stop gracefully (their dispatchers finish the attempts in flight), so no duplicate can still
    // be on its way when the receiver's requests are counted.
    await waitFor(
      async () => {
        const open = await testDb.database.db.selectFrom('webhook_deliveries').select('id').where('organization_id', '=', tenant.organization_id).where('status', '<>', 'SUCCEEDED').executeTakeFirst();
        const total = await testDb.database.db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('organization_id', '=', tenant.organization_id).executeTakeFirstOrThrow();
        return open === undefined && Number(total.n) === 2 * events;
      },
      'every delivery in its final state',
      600,
    );
    for (const s of servers.splice(0)) await s.stop('SIGTERM');
    const ids = receiver.requests.map((r) => r.headers['webhook-id']);
    expect(ids).toHaveLength(2 * events);
    expect(new Set(ids).size).toBe(2 * events);
    const rows = await testDb.database.db.selectFrom('webhook_deliveries').select(['status', 'attempts']).where('organization_id', '=', tenant.organization_id).execute();
    expect(rows).toHaveLength(2 * events);
    expect(rows.every((r) => r.status === 'SUCCEEDED' && Number(r.attempts) === 1)).toBe(true);
    // The attempt log agrees: one attempt per delivery.
    const attempts = await testDb.database.db.selectFrom('webhook_delivery_attempts').select('delivery_id').execute();
    expect(attempts).toHaveLength(2 * events);
  });
});
