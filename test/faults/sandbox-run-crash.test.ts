import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createContext, type AppContext } from '../../src/context.js';
import { bootstrap } from '../../src/modules/oauth/bootstrap.service.js';
import { createProgram } from '../../src/modules/codes/program-create.service.js';
import { claimDueRun } from '../../src/modules/sandbox/run.repository.js';
import { completeTrip } from '../../src/modules/sandbox/trip-outcome.js';
import { createTestDatabase, TEST_SECRETS_KEY, type TestDatabase } from '../helpers/database.js';
import { startServerProcess, type ServerProcess } from '../helpers/processes.js';
import { createRiderApp, createRiders, type Rider } from '../helpers/riders.js';
import { waitFor } from '../helpers/processes.js';
import { unitOfWork } from '../../src/db/unit-of-work.js';

/**
 * Sandbox trip runs under crashes (docs/sandbox.md): SIGKILL a real sandbox `voucherd serve` at a
 * random instant after it accepted a run — before the run is due, while a process holds it, or
 * after it applied the trip — then start a new process: every run ends COMPLETED, its trip is
 * recorded exactly once and the program's usage counts each trip once. FAULT_TRIALS sets the
 * number of trials (default 8; each restarts a process).
 */
const TRIALS = Number(process.env.FAULT_TRIALS ?? 8);
/** One more rider for the staged crash (the window between applying and finishing is too short to hit by chance). */
const RIDERS = TRIALS + 1;
const ENV = { VOUCHERD_ENVIRONMENT: 'sandbox', SANDBOX_RUN_SECONDS: '0', SANDBOX_POLL_MS: '10', SANDBOX_LEASE_SECONDS: '1' };

let testDb: TestDatabase;
let ctx: AppContext;
let clientId: string;
let clientSecret: string;
let programId: string;
let codeText: string;
let riders: Rider[];

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = createContext(loadConfig({ SECRETS_KEY: TEST_SECRETS_KEY, DEMO_BOOTSTRAP: 'false', ...ENV }), testDb.database);
  const tenant = await bootstrap(ctx, { orgName: 'Sandbox crash', adminEmail: `sandbox-crash-${process.pid}@example.com`, adminPassword: 'correct horse battery staple' });
  clientId = tenant.client.client_id;
  clientSecret = tenant.client.client_secret;
  const now = Date.now();
  const program = await createProgram(ctx, {
    organizationId: tenant.organization_id,
    clientId: null,
    body: {
      name: 'Sandbox rides',
      currency_code: 'USD',
      starts_at: now - 60_000,
      ends_at: now + 86_400_000,
      code_scheme: 'SINGLE_CODE_MULTI_REDEEM',
      redemptions_per_code: RIDERS,
      value_per_trip_max_amount: 20,
    },
  }, unitOfWork(ctx.database));
  programId = program.voucher_program_id;
  codeText = program.code_text!;
  // The riders sign in through the real pages of a process of their own, stopped before the trials.
  const signIn = await startServerProcess({ DATABASE_URL: testDb.url, ...ENV });
  try {
    riders = await createRiders({ ctx, url: signIn.url }, await createRiderApp(ctx), RIDERS);
  } finally {
    await signIn.stop();
  }
}, 120_000);

afterAll(async () => {
  await testDb?.drop();
});

function tripBody(email: string) {
  return {
    pickup: { point: { latitude: 37.7749, longitude: -122.4194 } },
    dropoff: { point: { latitude: 37.6213, longitude: -122.379 } },
    rider_info: { identifier: { email_address: email } },
    scenario: { id: 'COMPLETED_STATE_TRIP' },
    product_type: 'UBERX',
  };
}

async function call(server: ServerProcess, path: string, token: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${server.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: await res.json() };
}

async function orgToken(server: ServerProcess): Promise<string> {
  const res = await fetch(`${server.url}/oauth/v2/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Where in a run's life the kill landed (for the report; the outcome must be the same for all). */
async function phaseOf(runId: string, tripId: string) {
  const db = testDb.database.db;
  const run = await db.selectFrom('sandbox_runs').select(['state', 'lease_holder']).where('id', '=', runId).executeTakeFirstOrThrow();
  if (run.state === 'COMPLETED') return 'finished' as const;
  const trip = await db.selectFrom('voucher_trips').select('id').where('trip_id', '=', tripId).executeTakeFirst();
  if (trip) return 'trip applied, run not finished' as const;
  return run.lease_holder ? ('claimed, trip not applied' as const) : ('not yet claimed' as const);
}

describe(`sandbox runs survive SIGKILL (${TRIALS} trials)`, () => {
  it('every accepted run completes after a restart, its trip applied exactly once', async () => {
    const runs: { runId: string; tripId: string }[] = [];
    const phases = { 'not yet claimed': 0, 'claimed, trip not applied': 0, 'trip applied, run not finished': 0, finished: 0 };
    let server = await startServerProcess({ DATABASE_URL: testDb.url, ...ENV });
    try {
      for (let trial = 0; trial < TRIALS; trial++) {
        const rider = riders[trial]!;
        const claim = await call(server, '/v1.2/me/vouchers/redeem', rider.token, { code_text: codeText });
        expect(claim.status, JSON.stringify(claim.json)).toBe(200);
        const token = await orgToken(server);
        const started = await call(server, '/v1/sandbox/terminal-state-trip-run', token, tripBody(rider.email));
        expect(started.status, JSON.stringify(started.json)).toBe(200);
        runs.push({ runId: started.json.run_id, tripId: started.json.trip_id });
        // The kill lands anywhere from "before the worker saw the run" to "after it finished".
        await new Promise((r) => setTimeout(r, randomInt(0, 40)));
        await server.stop('SIGKILL');
        phases[await phaseOf(started.json.run_id, started.json.trip_id)] += 1;

        server = await startServerProcess({ DATABASE_URL: testDb.url, ...ENV });
        const after = await orgToken(server);
        const done = await waitFor(async () => {
          const res = await call(server, `/v1/sandbox/run/${started.json.run_id}`, after);
          return res.json.state === 'COMPLETED' ? res.json : undefined;
        }, `run of trial ${trial} to complete`);
        expect(done.run_info.voucher_id, `trial ${trial}`).toBe(claim.json.voucher_id);
        expect(done.run_info.covered_amount).toBe(20);
      }
    } finally {
      await server.stop('SIGKILL');
    }

    // Staged: a process claimed the last run and applied its trip, then died before finishing it.
    // A new process takes the run over when the dead holder's lease expires and finishes it once.
    const last = riders[TRIALS]!;
    server = await startServerProcess({ DATABASE_URL: testDb.url, ...ENV, SANDBOX_RUN_SECONDS: '3600', SANDBOX_POLL_MS: '60000' });
    try {
      const claim = await call(server, '/v1.2/me/vouchers/redeem', last.token, { code_text: codeText });
      const token = await orgToken(server);
      // Due in an hour, and this process polls once a minute: the test plays the process that claims it.
      const started = await call(server, '/v1/sandbox/terminal-state-trip-run', token, tripBody(last.email));
      await testDb.database.db.updateTable('sandbox_runs').set({ due_at: Date.now() }).where('id', '=', started.json.run_id).execute();
      const run = await claimDueRun(testDb.database.db, 'dead-process', Date.now(), 1000);
      expect(run?.id).toBe(started.json.run_id);
      await completeTrip(ctx, run!);
      await server.stop('SIGKILL');
      server = await startServerProcess({ DATABASE_URL: testDb.url, ...ENV });
      const done = await waitFor(async () => {
        const res = await call(server, `/v1/sandbox/run/${started.json.run_id}`, token);
        return res.json.state === 'COMPLETED' ? res.json : undefined;
      }, 'the staged run to complete');
      expect(done.run_info.voucher_id).toBe(claim.json.voucher_id);
      runs.push({ runId: started.json.run_id, tripId: started.json.trip_id });
    } finally {
      await server.stop('SIGKILL');
    }

    const db = testDb.database.db;
    const trips = await db.selectFrom('voucher_trips').select(['trip_id', 'covered_amount']).where('program_id', '=', programId).execute();
    expect(trips.map((t) => t.trip_id).sort()).toEqual(runs.map((r) => r.tripId).sort());
    const program = await db.selectFrom('voucher_programs').select(['usage_trip_count', 'usage_amount']).where('id', '=', programId).executeTakeFirstOrThrow();
    expect({ trips: Number(program.usage_trip_count), amount: Number(program.usage_amount) }).toEqual({ trips: RIDERS, amount: RIDERS * 2000 });
    const events = await db.selectFrom('outbox_events').select('payload').where('voucher_program_id', '=', programId).where('event_type', '=', 'voucher_program_code_redeemed').execute();
    expect(events.map((e) => JSON.parse(e.payload).trip_id).sort()).toEqual(runs.map((r) => r.tripId).sort());
    console.info('sandbox crash: where the kills landed', phases);
    const states = await db.selectFrom('sandbox_runs').select(['state']).execute();
    expect(states.every((s) => s.state === 'COMPLETED')).toBe(true);
    // Each trial restarts a real process: the bound grows with FAULT_TRIALS, like the other fault tests'.
  }, 120_000 + TRIALS * 20_000);
});
