import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createContext, type AppContext } from '../../src/context.js';
import { bootstrap } from '../../src/modules/oauth/bootstrap.service.js';
import { createProgram } from '../../src/modules/codes/program-create.service.js';
import { createTestDatabase, TEST_SECRETS_KEY, type TestDatabase } from '../helpers/database.js';
import { startServerProcess, type ServerProcess } from '../helpers/processes.js';
import { createRiderApp, createRiders, type Rider } from '../helpers/riders.js';
import { waitFor } from '../helpers/processes.js';
import { unitOfWork } from '../../src/db/unit-of-work.js';

/**
 * Sandbox trip runs with two sandbox processes on one PostgreSQL (docs/sandbox.md): runs requested
 * at either process are completed by whichever claims them, each exactly once.
 */
const RUNS = 12;
const ENV = { VOUCHERD_ENVIRONMENT: 'sandbox', SANDBOX_RUN_SECONDS: '0', SANDBOX_POLL_MS: '10' };

let testDb: TestDatabase;
let ctx: AppContext;
let servers: ServerProcess[];
let token: string;
let programId: string;
let riders: Rider[];

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = createContext(loadConfig({ SECRETS_KEY: TEST_SECRETS_KEY, DEMO_BOOTSTRAP: 'false', ...ENV }), testDb.database);
  const tenant = await bootstrap(ctx, { orgName: 'Two sandboxes', adminEmail: `two-sandboxes-${process.pid}@example.com`, adminPassword: 'correct horse battery staple' });
  const now = Date.now();
  const program = await createProgram(ctx, {
    organizationId: tenant.organization_id,
    clientId: null,
    body: { name: 'Rides', currency_code: 'USD', starts_at: now - 60_000, ends_at: now + 86_400_000, code_scheme: 'SINGLE_CODE_MULTI_REDEEM', redemptions_per_code: RUNS, value_per_trip_max_amount: 5 },
  }, unitOfWork(ctx.database));
  programId = program.voucher_program_id;
  servers = await Promise.all([startServerProcess({ DATABASE_URL: testDb.url, ...ENV }), startServerProcess({ DATABASE_URL: testDb.url, ...ENV })]);
  riders = await createRiders({ ctx, url: servers[1]!.url }, await createRiderApp(ctx), RUNS);
  for (const r of riders) {
    const res = await fetch(`${servers[0]!.url}/v1.2/me/vouchers/redeem`, {
      method: 'POST',
      headers: { authorization: `Bearer ${r.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code_text: program.code_text }),
    });
    expect(res.status).toBe(200);
  }
  const res = await fetch(`${servers[0]!.url}/oauth/v2/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${tenant.client.client_id}:${tenant.client.client_secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  token = ((await res.json()) as { access_token: string }).access_token;
}, 120_000);

afterAll(async () => {
  await Promise.all((servers ?? []).map((s) => s.stop()));
  await testDb?.drop();
});

describe('sandbox runs across two processes', () => {
  it('every run completes once, whichever process started it', async () => {
    const started = await Promise.all(
      riders.map(async (r, i) => {
        const res = await fetch(`${servers[i % 2]!.url}/v1/sandbox/terminal-state-trip-run`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            pickup: { point: { latitude: 48.8566, longitude: 2.3522 } },
            dropoff: { point: { latitude: 48.8738, longitude: 2.295 } },
            rider_info: { identifier: { email_address: r.email } },
            scenario: { id: 'COMPLETED_STATE_TRIP' },
          }),
        });
        expect(res.status).toBe(200);
        return (await res.json()) as { run_id: string; trip_id: string };
      }),
    );
    for (const [i, run] of started.entries()) {
      // Polled at the other process than the one that accepted it.
      const done = await waitFor(async () => {
        const res = await fetch(`${servers[(i + 1) % 2]!.url}/v1/sandbox/run/${run.run_id}`, { headers: { authorization: `Bearer ${token}` } });
        const body = (await res.json()) as { state: string; run_info?: { voucher_id?: string } };
        return body.state === 'COMPLETED' ? body : undefined;
      }, `run ${i}`);
      expect(done.run_info?.voucher_id).toEqual(expect.any(String));
    }
    const db = testDb.database.db;
    const trips = await db.selectFrom('voucher_trips').select('trip_id').where('program_id', '=', programId).execute();
    expect(trips.map((t) => t.trip_id).sort()).toEqual(started.map((r) => r.trip_id).sort());
    const program = await db.selectFrom('voucher_programs').select(['usage_trip_count', 'usage_amount']).where('id', '=', programId).executeTakeFirstOrThrow();
    expect({ trips: Number(program.usage_trip_count), amount: Number(program.usage_amount) }).toEqual({ trips: RUNS, amount: RUNS * 500 });
  });
});
