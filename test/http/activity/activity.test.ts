import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedClient } from '../../../src/modules/oauth/client.service.js';
import { multiCodeProgram, redeem } from '../../helpers/claims.js';
import { bearer, createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { createRider, createRiderApp, createTripReporter } from '../../helpers/riders.js';

const HOUR = 3_600_000;
const MIN = 60_000;

let h: Harness;
let tenant: Tenant;
let riderApp: CreatedClient;
let programId: string;
let T: number;

/** Local calendar date in New York, computed here independently of the service. */
const nyDate = (at: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(at);

async function at<T>(instant: number, action: () => Promise<T>): Promise<T> {
  h.clock.set(instant);
  return action();
}

async function claim(code: string): Promise<string> {
  const rider = await createRider(h, riderApp);
  const res = await redeem(h, rider.token, code);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().voucher_id as string;
}

async function trip(voucherId: string, tripId: string, fare: number): Promise<void> {
  const reporter = await createTripReporter(h, tenant.organizationId);
  const res = await h.app.inject({ method: 'POST', url: `/v1/vouchers/${voucherId}/trips`, headers: bearer(reporter.token), payload: { trip_id: tripId, fare_amount: fare, currency_code: 'USD' } });
  expect(res.statusCode, res.body).toBe(200);
}

async function activity(query: string) {
  const token = await h.token(tenant.clientId, tenant.clientSecret);
  return h.app.inject({ method: 'GET', url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}/activity?${query}`, headers: bearer(token) });
}

beforeAll(async () => {
  h = await createHarness();
  tenant = await h.seedTenant();
  riderApp = await createRiderApp(h.ctx);
  T = h.clock.now(); // 2026-11-26T00:00Z = 2026-11-25 19:00 in New York
  const program = await multiCodeProgram(h, tenant, 4, { timezone: 'America/New_York', starts_at: T, ends_at: T + 30 * 24 * HOUR, value_per_trip_max_amount: 25 });
  programId = program.programId;
  const [a, b, c] = program.codes;
  const va = await at(T + 1 * HOUR, () => claim(a!)); // New York 20:00, Nov 25
  await at(T + 4 * HOUR + 30 * MIN, () => claim(b!)); // New York 23:30, Nov 25 — already Nov 26 in UTC
  const vc = await at(T + 6 * HOUR, () => claim(c!)); // New York 01:00, Nov 26
  await at(T + 4 * HOUR + 45 * MIN, () => trip(va, 'late-ride', 20)); // covered 20
  await at(T + 30 * HOUR, () => trip(vc, 'next-day', 30)); // covered 25 (the per-trip cap)
  h.clock.set(T + 3 * 24 * HOUR);
});
afterAll(async () => {
  await h?.close();
});

describe('GET …/voucher-programs/{id}/activity: claims, trips and spend per local day or hour', () => {
  it('days are local days of the program time zone, every one listed', async () => {
    const res = await activity(`bucket=day&from=${T}&to=${T + 3 * 24 * HOUR}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ voucher_program_id: programId, bucket: 'day', timezone: 'America/New_York', currency_code: 'USD' });
    const rows = body.buckets.map((b: { start: number; claims: number; trips: number; spent_amount: number }) => [nyDate(b.start), b.claims, b.trips, b.spent_amount]);
    expect(rows).toEqual([
      ['2026-11-25', 2, 1, 20],
      ['2026-11-26', 1, 0, 0],
      ['2026-11-27', 0, 1, 25],
      ['2026-11-28', 0, 0, 0],
    ]);
    // Each bucket starts at local midnight and ends where the next starts.
    for (const [i, b] of body.buckets.entries()) {
      expect(new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hourCycle: 'h23', hour: '2-digit', minute: '2-digit' }).format(b.start)).toBe('00:00');
      if (i > 0) expect(b.start).toBe(body.buckets[i - 1].end);
    }
  });

  it('hours: the same events in local hours', async () => {
    const res = await activity(`bucket=HOUR&from=${T}&to=${T + 7 * HOUR}`);
    expect(res.statusCode, res.body).toBe(200);
    const { buckets } = res.json();
    expect(buckets).toHaveLength(7);
    expect(buckets.map((b: { claims: number }) => b.claims)).toEqual([0, 1, 0, 0, 1, 0, 1]);
    expect(buckets.map((b: { trips: number }) => b.trips)).toEqual([0, 0, 0, 0, 1, 0, 0]);
    expect(buckets[4].spent_amount).toBe(20);
  });

  it('defaults: day buckets from the program start until now', async () => {
    const res = await activity('');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.bucket).toBe('day');
    expect(body.from).toBe(T);
    expect(body.to).toBe(T + 3 * 24 * HOUR);
    expect(body.buckets.reduce((n: number, b: { claims: number }) => n + b.claims, 0)).toBe(3);
  });

  it('bad ranges and buckets → 400 naming the field', async () => {
    const cases: [string, string][] = [
      ['bucket=week', 'bucket'],
      [`from=${T + HOUR}&to=${T}`, 'from'],
      [`bucket=hour&from=${T}&to=${T + 1001 * HOUR}`, 'to'],
      ['from=1e3', 'from'],
    ];
    for (const [query, field] of cases) {
      const res = await activity(query);
      expect(res.statusCode, query).toBe(400);
      expect(res.json()).toMatchObject({ code: 'invalid_request', metadata: { field } });
    }
  });

  it("another organization's program is not found", async () => {
    const other = await h.seedTenant();
    const res = await h.app.inject({ method: 'GET', url: `/v1/organizations/${other.organizationId}/voucher-programs/${programId}/activity`, headers: bearer(other.token) });
    expect(res.statusCode).toBe(404);
  });
});
