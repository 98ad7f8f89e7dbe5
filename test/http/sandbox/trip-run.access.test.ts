import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedClient } from '../../../src/modules/oauth/client.service.js';
import { createClient } from '../../../src/modules/oauth/client.service.js';
import { claimRun, completeTrip, finishRun } from '../../helpers/sandbox-internals.js';
import { multiCodeProgram } from '../../helpers/claims.js';
import { bearer, createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { rider } from '../../helpers/oauth-flow.js';
import { claimAsRider, finishDueRuns, getRun, riderApp, runWorker, startRun, tripRunBody } from '../../helpers/sandbox.js';

/**
 * Who may run a sandbox trip and whose vouchers it applies (docs/sandbox.md): any token that may
 * call org routes, applying only vouchers of organizations that token may act for; bad bodies are
 * 400 BAD_REQUEST and store nothing; production has no such routes; a run finishes exactly once.
 */
const A = { latitude: 40.7484, longitude: -73.9857 };
const B = { latitude: 40.7527, longitude: -73.9772 };

let h: Harness;
let owner: Tenant;
let other: Tenant;
let app: CreatedClient;

beforeAll(async () => {
  h = await createHarness({ env: { VOUCHERD_ENVIRONMENT: 'sandbox', SANDBOX_LEASE_SECONDS: '30' } });
  owner = await h.seedTenant();
  other = await h.seedTenant();
  app = await riderApp(h);
});
afterAll(async () => h?.close());

async function claimed() {
  const { programId, codes } = await multiCodeProgram(h, owner, 1);
  return { programId, ...(await claimAsRider(h, app, codes[0]!)) };
}

async function usage(programId: string) {
  const row = await h.ctx.database.db.selectFrom('voucher_programs').select(['usage_trip_count', 'usage_amount']).where('id', '=', programId).executeTakeFirstOrThrow();
  const events = await h.ctx.database.db.selectFrom('outbox_events').select('id').where('voucher_program_id', '=', programId).where('event_type', '=', 'voucher_program_code_redeemed').execute();
  return { trips: Number(row.usage_trip_count), amount: Number(row.usage_amount), events: events.length };
}

async function runCount(): Promise<number> {
  return (await h.ctx.database.db.selectFrom('sandbox_runs').select('id').execute()).length;
}

async function completedRun(token: string, email: string) {
  const started = await startRun(h, token, tripRunBody(email, A, B));
  expect(started.statusCode, started.body).toBe(200);
  await finishDueRuns(h);
  const done = await getRun(h, token, started.json().run_id);
  expect(done.json().state).toBe('COMPLETED');
  return done.json();
}

describe('sandbox trip runs: access', () => {
  it("a token of another organization runs the trip but does not apply the owner's voucher", async () => {
    const { programId, email } = await claimed();
    const run = await completedRun(other.token, email);
    expect(run.run_info.voucher_id).toBeUndefined();
    expect(run.run_info.covered_amount).toBe(0);
    expect(run.message).toMatch(/No voucher applied/);
    expect(await usage(programId)).toEqual({ trips: 0, amount: 0, events: 0 });
    // The owner's token applies it.
    const own = await completedRun(owner.token, email);
    expect(own.run_info.voucher_id).toEqual(expect.any(String));
    expect((await usage(programId)).trips).toBe(1);
  });

  it('an aggregator applies vouchers only of organizations that authorized it', async () => {
    const { programId, email } = await claimed();
    const aggregator = await createClient(h.ctx, { kind: 'THIRD_PARTY', name: 'Platform' });
    const token = await h.token(aggregator.client_id, aggregator.client_secret, 'organizations.voucher_programs.aggregator');
    expect((await completedRun(token, email)).run_info.voucher_id).toBeUndefined();
    await h.ctx.database.db
      .insertInto('organization_authorizations')
      .values({
        id: h.ctx.ids.next(),
        organization_id: owner.organizationId,
        client_id: aggregator.client_id,
        scope: 'organizations.voucher_programs.aggregator',
        approved_by_user_id: owner.adminUserId,
        created_at: h.clock.now(),
        revoked_at: null,
      })
      .execute();
    expect((await completedRun(token, email)).run_info.voucher_id).toEqual(expect.any(String));
    expect((await usage(programId)).trips).toBe(1);
  });

  it('401 without a token, 403 FORBIDDEN for a rider token, 404 NOT_FOUND for another client’s run', async () => {
    const { email, token: riderToken } = await claimed();
    const body = tripRunBody(email, A, B);
    const none = await h.app.inject({ method: 'POST', url: '/v1/sandbox/terminal-state-trip-run', payload: body });
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe('UNAUTHORIZED');
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    const asRider = await startRun(h, riderToken, body);
    expect(asRider.statusCode).toBe(403);
    expect(asRider.json()).toMatchObject({ code: 'FORBIDDEN', message: expect.any(String) });
    const mine = await startRun(h, owner.token, body);
    const runId = mine.json().run_id as string;
    const foreign = await getRun(h, other.token, runId);
    const missing = await getRun(h, owner.token, '01900000-0000-7000-8000-000000000000');
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toMatchObject({ code: 'NOT_FOUND', message: 'Sandbox run is not found.' });
    expect({ ...missing.json(), request_id: null }).toEqual({ ...foreign.json(), request_id: null });
  });
});

describe('sandbox trip runs: bad bodies → 400 BAD_REQUEST, nothing stored', () => {
  it.each([
    ['no body', undefined],
    ['pickup missing', (b: Record<string, unknown>) => delete b.pickup],
    ['latitude out of range', (b: Record<string, any>) => (b.pickup.point.latitude = 91)],
    ['longitude a string', (b: Record<string, any>) => (b.dropoff.point.longitude = '12.5')],
    ['email missing', (b: Record<string, any>) => delete b.rider_info.identifier.email_address],
    ['scenario not supported', (b: Record<string, any>) => (b.scenario.id = 'CANCELED_STATE_TRIP')],
    ['scenario missing', (b: Record<string, any>) => delete b.scenario],
    ['product without a rate', (b: Record<string, any>) => (b.product_type = 'HELICOPTER')],
    ['rider unknown', (b: Record<string, any>) => (b.rider_info.identifier.email_address = 'nobody@example.com')],
  ])('%s', async (_name, mutate) => {
    const person = await rider(h);
    const body = tripRunBody(person.email, { ...A }, { ...B });
    body.pickup = { point: { ...A } };
    body.dropoff = { point: { ...B } };
    body.rider_info = { identifier: { email_address: person.email } };
    body.scenario = { id: 'COMPLETED_STATE_TRIP' };
    if (mutate) mutate(body);
    const before = await runCount();
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/sandbox/terminal-state-trip-run',
      headers: { ...bearer(owner.token), 'content-type': 'application/json' },
      ...(mutate ? { payload: JSON.stringify(body) } : {}),
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ code: 'BAD_REQUEST', message: expect.any(String) });
    expect(res.body).not.toMatch(/at .*\.ts|select |insert /i);
    expect(await runCount()).toBe(before);
  });

  it('scenario and product are matched case-insensitively', async () => {
    const person = await rider(h);
    const res = await startRun(h, owner.token, tripRunBody(person.email, A, B, { scenario: { id: 'completed_state_trip' }, product_type: 'uberxl' }));
    expect(res.statusCode, res.body).toBe(200);
  });
});

describe('Idempotency-Key', () => {
  it('a retry with the same key starts one run; another body with it → 422 UNPROCESSABLE_ENTITY', async () => {
    const person = await rider(h);
    const send = (body: Record<string, unknown>) =>
      h.app.inject({ method: 'POST', url: '/v1/sandbox/terminal-state-trip-run', headers: { ...bearer(owner.token), 'idempotency-key': `k-${person.userId}` }, payload: body });
    const before = await runCount();
    const first = await send(tripRunBody(person.email, A, B));
    const again = await send(tripRunBody(person.email, A, B));
    expect(first.statusCode, first.body).toBe(200);
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(await runCount()).toBe(before + 1);
    const other = await send(tripRunBody(person.email, B, A));
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('UNPROCESSABLE_ENTITY');
    expect(await runCount()).toBe(before + 1);
  });
});

describe('a run finishes exactly once', () => {
  it('a process that applied the trip and died before finishing: the next one completes the run, usage counted once', async () => {
    const { programId, email } = await claimed();
    await finishDueRuns(h); // earlier tests' runs out of the way
    const started = await startRun(h, owner.token, tripRunBody(email, A, B));
    const runId = started.json().run_id as string;
    h.clock.advance(h.ctx.config.sandboxRunSeconds * 1000);
    // Process 1 claims the run and applies the trip, then "dies" (never finishes, keeps its lease).
    const claimedRun = await claimRun(h, 'process-1');
    expect(claimedRun?.id).toBe(runId);
    await completeTrip(h.ctx, claimedRun!);
    expect((await usage(programId)).trips).toBe(1);
    // While its lease lasts nobody else takes the run.
    await runWorker(h, 'process-2');
    expect((await getRun(h, owner.token, runId)).json().state).toBe('RUNNING');
    h.clock.advance(h.ctx.config.sandboxLeaseSeconds * 1000 + 1);
    await runWorker(h, 'process-2');
    const done = (await getRun(h, owner.token, runId)).json();
    expect(done.state).toBe('COMPLETED');
    expect(done.run_info.voucher_id).toEqual(expect.any(String));
    expect(await usage(programId)).toMatchObject({ trips: 1, events: 1 });
    // Process 1 was only slow, not dead: its late finish is fenced off and changes nothing.
    expect(await finishRun(h.ctx.database.db, runId, 'process-1', { state: 'FAILED', runInfo: null, message: 'sandbox_run_failed' }, h.clock.now())).toBe(false);
    expect((await getRun(h, owner.token, runId)).json()).toEqual(done);
  });
});

describe('production', () => {
  it('has no sandbox helpers (404) and says production in /readyz', async () => {
    const prod = await createHarness();
    try {
      const tenant = await prod.seedTenant();
      const post = await prod.app.inject({ method: 'POST', url: '/v1/sandbox/terminal-state-trip-run', headers: bearer(tenant.token), payload: tripRunBody('a@example.com', A, B) });
      expect(post.statusCode).toBe(404);
      const get = await prod.app.inject({ url: '/v1/sandbox/run/01900000-0000-7000-8000-000000000000', headers: bearer(tenant.token) });
      expect(get.statusCode).toBe(404);
      expect((await prod.app.inject({ url: '/readyz' })).json()).toMatchObject({ status: 'ok', environment: 'production' });
    } finally {
      await prod.close();
    }
    expect((await h.app.inject({ url: '/readyz' })).json()).toMatchObject({ status: 'ok', environment: 'sandbox' });
  });
});
