import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWellFormedCode } from '../../../src/lib/codes.js';
import { bearer, createHarness, DAY, programBody, type Harness, type Tenant } from '../../helpers/harness.js';

let h: Harness;
let tenant: Tenant;
beforeAll(async () => {
  // Long-lived tokens: some tests move the clock by days.
  h = await createHarness({ env: { ACCESS_TOKEN_TTL_SECONDS: String(30 * 86_400) } });
  tenant = await h.seedTenant();
});
afterAll(async () => {
  await h.close();
});

const create = (payload: unknown, headers: Record<string, string> = {}) =>
  h.app.inject({
    method: 'POST',
    url: `/v1/organizations/${tenant.organizationId}/voucher-programs`,
    headers: { ...bearer(tenant.token), ...headers },
    payload: payload as Record<string, unknown>,
  });

const get = (id: string, query = '') =>
  h.app.inject({ method: 'GET', url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${id}${query}`, headers: bearer(tenant.token) });

describe('Create Voucher Program (docs/programs.md)', () => {
  it('MULTI_CODE: creates the program and its first batch in one go', async () => {
    const res = await create(programBody(h.clock.now(), { number_of_codes: 12 }));
    expect(res.statusCode, res.body).toBe(200);
    const { voucher_program_id: id } = res.json();
    // The answer carries its first code, for integrations that create one program per person.
    expect(Object.keys(res.json())).toEqual(['voucher_program_id', 'code_text', 'code_link']);
    const codes = await h.ctx.database.db.selectFrom('voucher_codes').selectAll().where('program_id', '=', id).orderBy('id').execute();
    expect(codes).toHaveLength(12);
    expect(res.json().code_text).toBe(codes[0]!.code_text);
    expect(res.json().code_link).toContain(encodeURIComponent(codes[0]!.code_text));
    for (const code of codes) {
      expect(isWellFormedCode(code.code_text)).toBe(true);
      expect(code.max_num_redemptions).toBe(1);
      expect(code.organization_id).toBe(tenant.organizationId);
    }
    const program = await h.ctx.database.db.selectFrom('voucher_programs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(Number(program.total_number_of_codes)).toBe(12);
    const generations = await h.ctx.database.db.selectFrom('code_generations').selectAll().where('program_id', '=', id).execute();
    expect(generations).toHaveLength(1);
    expect(generations[0]).toMatchObject({ status: 'COMPLETED', requested: 12 });
    const events = await h.ctx.database.db.selectFrom('outbox_events').selectAll().where('voucher_program_id', '=', id).execute();
    expect(events.map((e) => e.event_type)).toEqual(['voucher_program_created']);
  });

  it('SINGLE_CODE: returns code_text and code_link; the code redeems redemptions_per_code times', async () => {
    const res = await create(
      programBody(h.clock.now(), { code_scheme: 'SINGLE_CODE_MULTI_REDEEM', number_of_codes: undefined, redemptions_per_code: 100 }),
    );
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(isWellFormedCode(body.code_text)).toBe(true);
    expect(body.code_link).toBe(`https://vouchers.test/redeem/${body.code_text}`);
    const codes = await h.ctx.database.db.selectFrom('voucher_codes').selectAll().where('program_id', '=', body.voucher_program_id).execute();
    expect(codes).toHaveLength(1);
    expect(codes[0]!.max_num_redemptions).toBe(100);
  });

  it('GET returns the Uber fields with computed status and exposure', async () => {
    const now = h.clock.now();
    const id = (
      await create(
        programBody(now, {
          number_of_codes: 4,
          value_per_trip_max_amount: 12.5,
          value_per_period_max_trips: 2,
          description: 'Airport pickups',
          pickup_locations: [{ latitude: 40.64, longitude: -73.78, radius: 500, address: 'JFK Terminal 4' }],
          trip_restriction_type: 'PICKUP_ONLY',
          vehicle_category_types: ['UberX'],
        }),
      )
    ).json().voucher_program_id;
    const res = await get(id);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      voucher_program_id: id,
      name: 'Airport rides',
      description: 'Airport pickups',
      currency_code: 'USD',
      timezone: 'America/New_York',
      starts_at: now,
      ends_at: now + 30 * DAY,
      created_at: now,
      code_scheme: 'MULTI_CODE_SINGLE_REDEEM',
      redemptions_per_code: 1,
      number_of_codes: 4,
      voucher_type: 'PERSONAL_TRANSPORT',
      value_per_trip_max_amount: 12.5,
      value_per_trip_percentage: 100,
      value_per_period_max_trips: 2,
      // Legacy names Uber's own answer still carries.
      max_trips_per_client: 2,
      endmax_value_per_trips_at: 12.5,
      value_recurrence_period: 'SINGLE',
      trip_restriction_type: 'PICKUP_ONLY',
      pickup_locations: [{ latitude: 40.64, longitude: -73.78, radius: 500, address: 'JFK Terminal 4' }],
      vehicle_category_types: ['UberX'],
      status: 'ACTIVE',
      is_disabled: false,
      usage_trip_count: 0,
      usage_voucher_claim_count: 0,
      usage_amount: 0,
      usage_amount_currency: 'USD',
      total_dollar_exposure: 100,
      total_number_of_codes: 4,
      code_format: { prefix: '', length: 12 },
    });
    const withGuests = await get(id, '?include_guests=true');
    expect(withGuests.json().guests).toEqual([]);
  });

  it('status follows the clock: UPCOMING before starts_at, COMPLETE at ends_at', async () => {
    const now = h.clock.now();
    const id = (await create(programBody(now, { starts_at: now + DAY, ends_at: now + 2 * DAY }))).json().voucher_program_id;
    try {
      expect((await get(id)).json().status).toBe('UPCOMING');
      h.clock.advance(DAY);
      expect((await get(id)).json().status).toBe('ACTIVE');
      h.clock.advance(DAY);
      expect((await get(id)).json().status).toBe('COMPLETE');
    } finally {
      h.clock.set(now);
    }
  });

  it('accepts canonical integer strings for integer fields', async () => {
    const now = h.clock.now();
    const res = await create(programBody(now, { starts_at: String(now), ends_at: String(now + DAY), number_of_codes: '3' }));
    expect(res.statusCode, res.body).toBe(200);
  });

  const invalid: [string, (now: number) => Record<string, unknown>, string][] = [
    ['missing name', (now) => ({ ...programBody(now), name: undefined }), 'name'],
    ['unknown currency', (now) => programBody(now, { currency_code: 'XYZ' }), 'currency_code'],
    ['lowercase currency', (now) => programBody(now, { currency_code: 'usd' }), 'currency_code'],
    ['bad timezone', (now) => programBody(now, { timezone: 'Mars/Olympus' }), 'timezone'],
    ['starts more than 24 h ago', (now) => programBody(now, { starts_at: now - DAY - 1 }), 'starts_at'],
    ['starts more than a year ahead', (now) => programBody(now, { starts_at: now + 400 * DAY, ends_at: now + 401 * DAY }), 'starts_at'],
    ['ends before it starts', (now) => programBody(now, { ends_at: now }), 'ends_at'],
    ['multi without number_of_codes', (now) => programBody(now, { number_of_codes: undefined }), 'number_of_codes'],
    ['multi with 0 codes', (now) => programBody(now, { number_of_codes: 0 }), 'number_of_codes'],
    ['multi above the request cap', (now) => programBody(now, { number_of_codes: 30_001 }), 'number_of_codes'],
    ['single with number_of_codes', (now) => programBody(now, { code_scheme: 'SINGLE_CODE_MULTI_REDEEM' }), 'number_of_codes'],
    ['percentage with deductible', (now) => programBody(now, { value_per_trip_percentage: 50, value_per_trip_deductible: 5 }), 'value_per_trip_percentage'],
    ['percentage out of range', (now) => programBody(now, { value_per_trip_percentage: 100 }), 'value_per_trip_percentage'],
    ['three decimals of USD', (now) => programBody(now, { value_per_trip_max_amount: 1.234 }), 'value_per_trip_max_amount'],
    ['radius under 20 m', (now) => programBody(now, { pickup_locations: [{ latitude: 1, longitude: 1, radius: 19, address: 'x' }] }), 'pickup_locations[0].radius'],
    ['restriction without locations', (now) => programBody(now, { trip_restriction_type: 'PICKUP_ONLY' }), 'trip_restriction_type'],
    ['unknown scheme', (now) => programBody(now, { code_scheme: 'MANY' }), 'code_scheme'],
    ['float timestamp string', (now) => programBody(now, { starts_at: `${now}.0` }), 'starts_at'],
  ];

  it.each(invalid)('%s → 400 invalid_request naming the field, nothing written', async (_label, make, field) => {
    const before = await h.ctx.database.db.selectFrom('voucher_programs').select('id').execute();
    const res = await create(make(h.clock.now()));
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().code).toBe('invalid_request');
    expect(res.json().metadata?.field).toBe(field);
    const after = await h.ctx.database.db.selectFrom('voucher_programs').select('id').execute();
    expect(after).toHaveLength(before.length);
  });
});
