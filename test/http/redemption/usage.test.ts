import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedClient } from '../../../src/modules/oauth/client.service.js';
import { issueAccessToken } from '../../../src/modules/oauth/token.service.js';
import { multiCodeProgram, redeem } from '../../helpers/claims.js';
import { bearer, createHarness, DAY, type Harness, type Tenant } from '../../helpers/harness.js';
import { createRider, createRiderApp, createTripReporter, type Rider } from '../../helpers/riders.js';

const HOUR = 3_600_000;
let h: Harness;
let tenant: Tenant;
let riderApp: CreatedClient;
/** The tenant's fare system: the only kind of token that records trips. */
let reporter: string;

beforeAll(async () => {
  // Rider tokens must outlive the days these tests move the clock across.
  h = await createHarness({ env: { ACCESS_TOKEN_TTL_SECONDS: String(30 * 86_400) } });
  tenant = await h.seedTenant();
  riderApp = await createRiderApp(h.ctx);
  reporter = (await createTripReporter(h, tenant.organizationId)).token;
});
afterAll(async () => h.close());

function trip(token: string, voucherId: string, body: Record<string, unknown>) {
  return h.app.inject({ method: 'POST', url: `/v1/vouchers/${voucherId}/trips`, headers: bearer(token), payload: body });
}

async function claimed(overrides: Record<string, unknown>): Promise<{ rider: Rider; voucherId: string; programId: string; codeId: string }> {
  const { programId, codes, codeIds } = await multiCodeProgram(h, tenant, 1, overrides);
  const rider = await createRider(h, riderApp);
  const res = await redeem(h, rider.token, codes[0]!);
  expect(res.statusCode, res.body).toBe(200);
  return { rider, voucherId: res.json().voucher_id, programId, codeId: codeIds[0]! };
}

async function usage(programId: string, codeId: string) {
  const db = h.ctx.database.db;
  const program = await db.selectFrom('voucher_programs').select(['usage_trip_count', 'usage_amount']).where('id', '=', programId).executeTakeFirstOrThrow();
  const code = await db.selectFrom('voucher_codes').select(['usage_count', 'usage_amount']).where('id', '=', codeId).executeTakeFirstOrThrow();
  const events = await db.selectFrom('outbox_events').select('payload').where('voucher_program_id', '=', programId).where('event_type', '=', 'voucher_program_code_redeemed').execute();
  return {
    programTrips: Number(program.usage_trip_count),
    programAmount: Number(program.usage_amount),
    codeTrips: Number(code.usage_count),
    codeAmount: Number(code.usage_amount),
    events: events.length,
  };
}

describe('POST /v1/vouchers/{voucher_id}/trips', () => {
  it('applies per-trip cap, trips and credit per DAILY period in the program timezone; counters and events follow', async () => {
    // T0 is 2026-11-26T00:00Z = 19:00 on 25 Nov in New York: the local day ends 5 hours later.
    const { rider, voucherId, programId, codeId } = await claimed({
      timezone: 'America/New_York',
      value_per_trip_max_amount: 25,
      value_per_period_max_trips: 2,
      value_per_period_max_credit: 40,
      value_recurrence_period: 'DAILY',
    });
    const t1 = await trip(reporter, voucherId, { trip_id: 't1', fare_amount: 30, currency_code: 'USD' });
    expect(t1.statusCode, t1.body).toBe(200);
    expect(t1.json()).toEqual({ voucher_id: voucherId, trip_id: 't1', currency_code: 'USD', covered_amount: 25, rider_amount: 5, remaining_trips: 1, remaining_credit: 15 });
    const t2 = await trip(reporter, voucherId, { trip_id: 't2', fare_amount: 10.5, currency_code: 'USD' });
    expect(t2.json()).toMatchObject({ covered_amount: 10.5, rider_amount: 0, remaining_trips: 0, remaining_credit: 4.5 });
    h.clock.advance(5 * HOUR - 1); // 23:59:59.999 local: same day
    const t3 = await trip(reporter, voucherId, { trip_id: 't3', fare_amount: 12, currency_code: 'USD' });
    expect(t3.json()).toMatchObject({ covered_amount: 0, rider_amount: 12, remaining_trips: 0 });
    h.clock.advance(1); // midnight in New York: a new period
    const t4 = await trip(reporter, voucherId, { trip_id: 't4', fare_amount: 50, currency_code: 'USD' });
    expect(t4.json()).toMatchObject({ covered_amount: 25, rider_amount: 25, remaining_trips: 1, remaining_credit: 15 });
    h.clock.advance(-5 * HOUR);
    expect(await usage(programId, codeId)).toEqual({ programTrips: 3, programAmount: 6050, codeTrips: 3, codeAmount: 6050, events: 4 });
    const program = await h.app.inject({ url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}`, headers: bearer(tenant.token) });
    expect(program.json()).toMatchObject({ usage_trip_count: 3, usage_amount: 60.5, usage_amount_currency: 'USD' });
  });

  it('percentage rounds down to the cent; a deductible comes off first', async () => {
    const pct = await claimed({ value_per_trip_percentage: 50, value_per_trip_max_amount: 100 });
    const a = await trip(reporter, pct.voucherId, { trip_id: 'p1', fare_amount: 9.99, currency_code: 'USD' });
    expect(a.json()).toMatchObject({ covered_amount: 4.99, rider_amount: 5, remaining_trips: null, remaining_credit: null });
    const ded = await claimed({ value_per_trip_deductible: 3, value_per_trip_max_amount: 10 });
    const b = await trip(reporter, ded.voucherId, { trip_id: 'd1', fare_amount: 20.1, currency_code: 'USD' });
    expect(b.json()).toMatchObject({ covered_amount: 10, rider_amount: 10.1 });
  });

  it('idempotent on trip_id: the same trip replays; a different fare for it → 422; nothing counted twice', async () => {
    const { rider, voucherId, programId, codeId } = await claimed({ value_per_trip_max_amount: 25 });
    const first = await trip(reporter, voucherId, { trip_id: 'same', fare_amount: 12.34, currency_code: 'USD' });
    const again = await trip(reporter, voucherId, { trip_id: 'same', fare_amount: 12.34, currency_code: 'USD' });
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    const changed = await trip(reporter, voucherId, { trip_id: 'same', fare_amount: 13, currency_code: 'USD' });
    expect(changed.statusCode).toBe(422);
    expect(changed.json().code).toBe('idempotency_key_reused');
    expect(await usage(programId, codeId)).toEqual({ programTrips: 1, programAmount: 1234, codeTrips: 1, codeAmount: 1234, events: 1 });
  });

  it('concurrent trips on one voucher never exceed the period limits', async () => {
    const { rider, voucherId, programId, codeId } = await claimed({ value_per_trip_max_amount: 25, value_per_period_max_trips: 3, value_per_period_max_credit: 60 });
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => trip(reporter, voucherId, { trip_id: `c${i}`, fare_amount: 22, currency_code: 'USD' })));
    expect(responses.every((r) => r.statusCode === 200)).toBe(true);
    const covered = responses.map((r) => r.json().covered_amount as number).filter((c) => c > 0);
    expect(covered.reduce((a, b) => a + b, 0)).toBe(60);
    expect(covered).toHaveLength(3);
    expect(await usage(programId, codeId)).toMatchObject({ programTrips: 3, programAmount: 6000, events: 10 });
  });

  it('bad input → 400: other currency, sub-cent fare, negative fare, extra fields; nothing written', async () => {
    const { rider, voucherId, programId, codeId } = await claimed({});
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ trip_id: 'x', fare_amount: 10, currency_code: 'EUR' }, 'currency_code'],
      [{ trip_id: 'x', fare_amount: 10.001, currency_code: 'USD' }, 'fare_amount'],
      [{ trip_id: 'x', fare_amount: -1, currency_code: 'USD' }, 'fare_amount'],
      [{ trip_id: 'x', fare_amount: '10', currency_code: 'USD' }, 'fare_amount'],
      [{ fare_amount: 10, currency_code: 'USD' }, 'trip_id'],
    ];
    for (const [body] of cases) {
      const res = await trip(reporter, voucherId, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().code).toBe('invalid_request');
    }
    // A caller-chosen covered_amount: refused when strict, otherwise ignored — the rules decide.
    const forged = { trip_id: 'forged', fare_amount: 100, currency_code: 'USD', covered_amount: 100 };
    const strict = await h.app.inject({ method: 'POST', url: `/v1/vouchers/${voucherId}/trips`, headers: { ...bearer(reporter), prefer: 'handling=strict' }, payload: forged });
    expect(strict.statusCode).toBe(400);
    expect(strict.json().metadata.field).toBe('covered_amount');
    expect(await usage(programId, codeId)).toEqual({ programTrips: 0, programAmount: 0, codeTrips: 0, codeAmount: 0, events: 0 });
    const ignored = await trip(reporter, voucherId, forged);
    expect(ignored.statusCode, ignored.body).toBe(200);
    expect(ignored.headers['voucherd-ignored-fields']).toBe('covered_amount');
    expect(ignored.json()).toMatchObject({ covered_amount: 25, rider_amount: 75 });
  });

  it('outside the program window → 400 voucher_program_inactive', async () => {
    const { rider, voucherId } = await claimed({ ends_at: h.clock.now() + DAY });
    h.clock.advance(DAY);
    try {
      const res = await trip(reporter, voucherId, { trip_id: 'late', fare_amount: 5, currency_code: 'USD' });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('voucher_program_inactive');
    } finally {
      h.clock.advance(-DAY);
    }
  });

  it("access: only a trip reporter of the voucher's organization; the rider, org tokens and strangers cannot record trips", async () => {
    const { rider, voucherId, programId, codeId } = await claimed({});
    const body = { trip_id: 'acc', fare_amount: 5, currency_code: 'USD' };
    // The rider (even of this very voucher) and the organization's API token: 403, nothing recorded.
    for (const token of [rider.token, tenant.token]) {
      const res = await trip(token, voucherId, body);
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json().code).toBe('unauthorized');
      expect(res.headers['www-authenticate']).toContain('scope="vouchers.trips"');
    }
    const cc = await issueAccessToken(h.ctx, { clientId: riderApp.client_id, grantType: 'client_credentials', scopes: ['vouchers.redeem'] });
    expect((await trip(cc.access_token, voucherId, body)).statusCode).toBe(403);
    expect(await usage(programId, codeId)).toMatchObject({ codeTrips: 0, events: 0 });
    // Another organization's reporter: the voucher is not found, like a missing one.
    const other = await h.seedTenant();
    const foreign = await createTripReporter(h, other.organizationId);
    for (const [token, id] of [[foreign.token, voucherId], [reporter, '01900000-0000-7000-8000-000000000000']] as const) {
      const res = await trip(token, id, body);
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('resource_not_found');
    }
    const none = await h.app.inject({ method: 'POST', url: `/v1/vouchers/${voucherId}/trips`, payload: body });
    expect(none.statusCode).toBe(401);
    expect((await trip(reporter, voucherId, body)).statusCode).toBe(200);
  });
});
