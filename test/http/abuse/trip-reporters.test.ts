import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedClient } from '../../../src/modules/oauth/client.service.js';
import { multiCodeProgram, redeem } from '../../helpers/claims.js';
import { bearer, createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { burst, countStatuses, listenReal, type RealHttp } from '../../helpers/http-burst.js';
import { createRider, createRiderApp, createTripReporter, type Rider } from '../../helpers/riders.js';

let h: Harness;
let tenant: Tenant;
let http: RealHttp;
let riderApp: CreatedClient;

beforeAll(async () => {
  h = await createHarness();
  tenant = await h.seedTenant();
  riderApp = await createRiderApp(h.ctx);
  http = await listenReal(h);
});
afterAll(async () => {
  await http?.close();
  await h.close();
});

async function claimed(overrides: Record<string, unknown> = {}): Promise<{ rider: Rider; voucherId: string; programId: string }> {
  const { programId, codes } = await multiCodeProgram(h, tenant, 1, overrides);
  const rider = await createRider(h, riderApp);
  const res = await redeem(h, rider.token, codes[0]!);
  expect(res.statusCode, res.body).toBe(200);
  return { rider, voucherId: res.json().voucher_id as string, programId };
}

function postTrip(token: string, voucherId: string, tripId: string): Promise<number> {
  return http
    .send('POST', `/v1/vouchers/${voucherId}/trips`, {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ trip_id: tripId, fare_amount: 20, currency_code: 'USD' }),
    })
    .then((r) => r.status);
}

async function tripRows(voucherId: string): Promise<number> {
  return (await h.ctx.database.db.selectFrom('voucher_trips').select('id').where('voucher_id', '=', voucherId).execute()).length;
}

describe('H4: trips come only from a trusted trip reporter', () => {
  it('a rider posting 40 invented trips on their own voucher in parallel: all 403, nothing recorded', async () => {
    const { rider, voucherId } = await claimed();
    const counts = countStatuses(await burst(40, (i) => postTrip(rider.token, voucherId, `invented-${i}`)));
    expect(counts).toEqual({ 403: 40 });
    expect(await tripRows(voucherId)).toBe(0);
  });

  it("the organization's reporter records them; another organization's reporter cannot see the voucher", async () => {
    const { voucherId } = await claimed();
    const reporter = await createTripReporter(h, tenant.organizationId);
    const counts = countStatuses(await burst(10, (i) => postTrip(reporter.token, voucherId, `real-${i}`)));
    expect(counts).toEqual({ 200: 10 });
    const stranger = await createTripReporter(h, (await h.seedTenant()).organizationId);
    expect(await postTrip(stranger.token, voucherId, 'foreign')).toBe(404);
    expect(await tripRows(voucherId)).toBe(10);
  });

  it('the scope is granted only to first-party clients, with client_credentials', async () => {
    const { createClient } = await import('../../../src/modules/oauth/client.service.js');
    await expect(createClient(h.ctx, { kind: 'THIRD_PARTY', name: 'Aggregator', scopes: ['vouchers.trips'] })).rejects.toThrow(/cannot hold the scope vouchers.trips/);
    const meta = await h.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' });
    expect(meta.json().scopes_supported).toContain('vouchers.trips');
  });
});

describe('GET /v1.2/me/vouchers: riders read their own vouchers and what is left', () => {
  it('lists the rider\'s vouchers with the trips and credit left in the current period; nobody else\'s', async () => {
    const { rider, voucherId, programId } = await claimed({ name: 'Late shift', value_per_trip_max_amount: 25, value_per_period_max_trips: 3, value_per_period_max_credit: 60, value_recurrence_period: 'DAILY' });
    const reporter = await createTripReporter(h, tenant.organizationId);
    expect(await postTrip(reporter.token, voucherId, 'shift-1')).toBe(200);
    const res = await h.app.inject({ method: 'GET', url: '/v1.2/me/vouchers', headers: bearer(rider.token) });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().vouchers).toEqual([
      expect.objectContaining({ voucher_id: voucherId, voucher_program_id: programId, name: 'Late shift', status: 'ACTIVE', currency_code: 'USD', remaining_trips: 2, remaining_credit: 40 }),
    ]);
    const other = await createRider(h, riderApp);
    const none = await h.app.inject({ method: 'GET', url: '/v1.2/me/vouchers', headers: bearer(other.token) });
    expect(none.json()).toEqual({ vouchers: [] });
    // Not a rider token: 403; no token: 401.
    expect((await h.app.inject({ method: 'GET', url: '/v1.2/me/vouchers', headers: bearer(tenant.token) })).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: '/v1.2/me/vouchers', headers: bearer(reporter.token) })).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: '/v1.2/me/vouchers' })).statusCode).toBe(401);
  });
});
