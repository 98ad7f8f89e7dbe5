import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedClient } from '../../../src/modules/oauth/client.service.js';
import { verifyStandardSignature, verifyUberSignature } from '../../../src/modules/webhooks/verify.js';
import { webhookWorker, type WebhookWorker } from '../../../src/modules/webhooks/webhook.worker.js';
import { multiCodeProgram } from '../../helpers/claims.js';
import { bearer, createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { rider } from '../../helpers/oauth-flow.js';
import { startReceiver, type Receiver } from '../../helpers/receiver.js';
import { claimAsRider, finishDueRuns, getRun, riderApp, runWorker, startRun, tripRunBody } from '../../helpers/sandbox.js';
import { registerEndpoint } from '../../helpers/webhooks.js';

/**
 * Sandbox mode's trip simulation (docs/sandbox.md), the way an integrator uses it: a program, a
 * rider who claims a code through the sign-in pages, a simulated trip, the run polled until it is
 * COMPLETED, the signed webhook at a real receiver, and the usage on the program.
 */
// A rate that makes fares easy to check by hand: 60 km/h, so minutes = km.
const RATES = JSON.stringify({ UBERX: { base: 2, per_km: 1, per_minute: 0.5, minimum: 5, kmh: 60 } });
// 0.1° of longitude on the equator = 11.1195 km: 2 + 11.1195 + 5.55975 = 18.67925 → 18.68.
const ORIGIN = { latitude: 0, longitude: 0 };
const EAST = { latitude: 0, longitude: 0.1 };
const FARE = 18.68;

let h: Harness;
let tenant: Tenant;
let app: CreatedClient;
let receiver: Receiver;
let webhooks: WebhookWorker;

beforeAll(async () => {
  h = await createHarness({ env: { VOUCHERD_ENVIRONMENT: 'sandbox', SANDBOX_RATES: RATES, WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
  tenant = await h.seedTenant();
  app = await riderApp(h);
  receiver = await startReceiver();
  webhooks = webhookWorker(h.ctx);
});
afterAll(async () => {
  await webhooks?.close();
  await receiver?.close();
  await h?.close();
});

async function programUsage(t: Tenant, programId: string) {
  const res = await h.app.inject({ url: `/v1/organizations/${t.organizationId}/voucher-programs/${programId}`, headers: bearer(t.token) });
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json();
  return { usage_trip_count: body.usage_trip_count, usage_amount: body.usage_amount };
}

/** A program of `t` with one code, claimed by a new rider through the pages. */
async function claimedVoucher(t: Tenant, overrides: Record<string, unknown> = {}) {
  const { programId, codes } = await multiCodeProgram(h, t, 1, overrides);
  return { programId, ...(await claimAsRider(h, app, codes[0]!)) };
}

async function runToEnd(token: string, body: Record<string, unknown>) {
  const started = await startRun(h, token, body);
  expect(started.statusCode, started.body).toBe(200);
  const { run_id: runId, trip_id: tripId } = started.json();
  expect((await getRun(h, token, runId)).json()).toEqual({ state: 'RUNNING' });
  await finishDueRuns(h);
  const done = await getRun(h, token, runId);
  expect(done.statusCode, done.body).toBe(200);
  return { runId, tripId, done: done.json() };
}

describe('POST /v1/sandbox/terminal-state-trip-run + GET /v1/sandbox/run/{run_id}', () => {
  it('integrator sequence: claim, run, poll to COMPLETED, signed Sandbox webhook, usage on the program', async () => {
    const endpoint = await registerEndpoint(h, tenant.token, `${receiver.url}/hooks`);
    const { programId, email, voucherId } = await claimedVoucher(tenant, { value_per_trip_max_amount: 10 });
    await webhooks.run(h.ctx, new AbortController().signal); // created + claimed events out of the way
    receiver.requests.length = 0;

    const started = await startRun(h, tenant.token, tripRunBody(email, ORIGIN, EAST));
    expect(started.statusCode, started.body).toBe(200);
    const { run_id: runId, trip_id: tripId } = started.json();
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(tripId).toMatch(/^[0-9a-f-]{36}$/);

    // Not due yet: one millisecond before SANDBOX_RUN_SECONDS the run is still RUNNING.
    h.clock.advance(h.ctx.config.sandboxRunSeconds * 1000 - 1);
    await runWorker(h);
    expect((await getRun(h, tenant.token, runId)).json()).toEqual({ state: 'RUNNING' });

    h.clock.advance(1);
    await runWorker(h);
    const done = await getRun(h, tenant.token, runId);
    expect(done.json()).toEqual({
      state: 'COMPLETED',
      run_info: { trip_id: tripId, fare_amount: FARE, currency_code: 'USD', voucher_id: voucherId, covered_amount: 10, rider_amount: 8.68 },
    });

    await webhooks.run(h.ctx, new AbortController().signal);
    const redeemed = receiver.requests.filter((r) => JSON.parse(r.raw.toString()).event_type === 'voucher_program_code_redeemed');
    expect(redeemed).toHaveLength(1);
    const req = redeemed[0]!;
    expect(req.headers['x-environment']).toBe('Sandbox');
    expect(verifyUberSignature(endpoint.signingKey, req.raw, req.headers['x-uber-signature'] as string)).toBe(true);
    expect(verifyStandardSignature(endpoint.signingKey, req.raw, req.headers as never, Number(req.headers['webhook-timestamp']))).toBe(true);
    expect(JSON.parse(req.raw.toString())).toMatchObject({
      organization_id: tenant.organizationId,
      voucher_program_id: programId,
      voucher_id: voucherId,
      trip_id: tripId,
      // Webhook counters are decimal strings, as in Uber's payload (docs/webhooks.md).
      covered_amount: '10.0',
      currency_code: 'USD',
      usage_trip_count: '1',
      usage_amount: '10.0',
    });
    expect(await programUsage(tenant, programId)).toEqual({ usage_trip_count: 1, usage_amount: 10 });

    // Running the worker again changes nothing: the run is finished, the trip recorded once.
    await finishDueRuns(h);
    const trips = await h.ctx.database.db.selectFrom('voucher_trips').select(['trip_id', 'fare_amount', 'covered_amount']).where('program_id', '=', programId).execute();
    expect(trips.map((t) => ({ ...t, fare_amount: Number(t.fare_amount), covered_amount: Number(t.covered_amount) }))).toEqual([
      { trip_id: tripId, fare_amount: 1868, covered_amount: 1000 },
    ]);
  });

  it('the fare is in the program currency and never below the minimum', async () => {
    const { email, voucherId } = await claimedVoucher(tenant, { currency_code: 'EUR', value_per_trip_max_amount: 100 });
    const { done, tripId } = await runToEnd(tenant.token, tripRunBody(email, ORIGIN, { latitude: 0, longitude: 0.001 }));
    expect(done).toEqual({ state: 'COMPLETED', run_info: { trip_id: tripId, fare_amount: 5, currency_code: 'EUR', voucher_id: voucherId, covered_amount: 5, rider_amount: 0 } });
  });

  it('a rider with no voucher: the trip completes and the rider pays the whole fare', async () => {
    const person = await rider(h);
    const { done, tripId } = await runToEnd(tenant.token, tripRunBody(person.email, ORIGIN, EAST));
    expect(done).toEqual({
      state: 'COMPLETED',
      message: 'No voucher applied: the rider holds no voucher this token may apply.',
      run_info: { trip_id: tripId, fare_amount: FARE, currency_code: 'USD', covered_amount: 0, rider_amount: FARE },
    });
  });
});

describe('trip locations (trip_restriction_type)', () => {
  const near = { latitude: 0.001, longitude: 0 }; // 111 m from the origin
  const far = { latitude: 0.01, longitude: 0 }; // 1.1 km from the origin
  const fence = [{ latitude: 0, longitude: 0, radius: 500, address: 'Null Island' }];

  it('PICKUP_ONLY: a pickup inside the circle uses the voucher, one outside does not (and counts nothing)', async () => {
    const { programId, email, voucherId } = await claimedVoucher(tenant, { trip_restriction_type: 'PICKUP_ONLY', pickup_locations: fence });
    const inside = await runToEnd(tenant.token, tripRunBody(email, near, EAST));
    expect(inside.done.run_info).toMatchObject({ voucher_id: voucherId, covered_amount: FARE, rider_amount: 0 });
    const outside = await runToEnd(tenant.token, tripRunBody(email, far, EAST));
    expect(outside.done).toMatchObject({ state: 'COMPLETED', message: expect.stringContaining('outside the locations') });
    expect(outside.done.run_info.voucher_id).toBeUndefined();
    expect(outside.done.run_info).toMatchObject({ covered_amount: 0, currency_code: 'USD' });
    expect(await programUsage(tenant, programId)).toEqual({ usage_trip_count: 1, usage_amount: FARE });
  });

  it('PICKUP_AND_DROPOFF needs both ends inside; DROPOFF_ONLY looks at the drop-off only', async () => {
    const both = await claimedVoucher(tenant, { trip_restriction_type: 'PICKUP_AND_DROPOFF', pickup_locations: fence, dropoff_locations: fence });
    expect((await runToEnd(tenant.token, tripRunBody(both.email, near, ORIGIN))).done.run_info.voucher_id).toBe(both.voucherId);
    expect((await runToEnd(tenant.token, tripRunBody(both.email, near, far))).done.run_info.voucher_id).toBeUndefined();
    const drop = await claimedVoucher(tenant, { trip_restriction_type: 'DROPOFF_ONLY', dropoff_locations: fence });
    expect((await runToEnd(tenant.token, tripRunBody(drop.email, far, near))).done.run_info.voucher_id).toBe(drop.voucherId);
    expect((await runToEnd(tenant.token, tripRunBody(drop.email, near, far))).done.run_info.voucher_id).toBeUndefined();
  });
});

describe('a program that is no longer active', () => {
  it('its voucher is not used; the run completes and says why', async () => {
    const { programId, email } = await claimedVoucher(tenant, { ends_at: h.clock.now() + 60_000 });
    h.clock.advance(60_000); // the program is COMPLETE from now on
    const { done } = await runToEnd(tenant.token, tripRunBody(email, ORIGIN, EAST));
    expect(done).toMatchObject({ state: 'COMPLETED', message: 'No voucher applied: the rider’s voucher programs are not active.' });
    expect(done.run_info).toMatchObject({ fare_amount: FARE, covered_amount: 0, rider_amount: FARE });
    expect(done.run_info.voucher_id).toBeUndefined();
    expect(await programUsage(tenant, programId)).toEqual({ usage_trip_count: 0, usage_amount: 0 });
  });
});
