import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, createHarness, DAY, programBody, type Harness, type Tenant } from '../../helpers/harness.js';

let h: Harness;
let tenant: Tenant;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  tenant = await h.seedTenant();
});

const create = (overrides: Record<string, unknown>, headers: Record<string, string> = {}) =>
  h.app.inject({
    method: 'POST',
    url: `/v1/organizations/${tenant.organizationId}/voucher-programs`,
    headers: { ...bearer(tenant.token), ...headers },
    payload: programBody(h.clock.now(), overrides),
  });
const programCount = async () =>
  Number((await h.ctx.database.db.selectFrom('voucher_programs').select((eb) => eb.fn.countAll<number>().as('n')).where('organization_id', '=', tenant.organizationId).executeTakeFirstOrThrow()).n);

const loc = { latitude: 48.85, longitude: 2.35, radius: 20, address: 'Paris' };

describe('Create voucher program — the validation rules of docs/programs.md', () => {
  it.each([
    ['starts_at more than 24 h in the past', { starts_at: 'past25h' }, 'starts_at'],
    ['starts_at more than a year ahead', { starts_at: 'future400d', ends_at: 'future401d' }, 'starts_at'],
    ['ends_at not after starts_at', { ends_at: 'now' }, 'ends_at'],
    ['unknown currency', { currency_code: 'XYZ' }, 'currency_code'],
    ['lowercase currency', { currency_code: 'usd' }, 'currency_code'],
    ['unknown timezone', { timezone: 'Moon/Base' }, 'timezone'],
    ['percentage below 5', { value_per_trip_percentage: 4 }, 'value_per_trip_percentage'],
    ['percentage 100', { value_per_trip_percentage: 100 }, 'value_per_trip_percentage'],
    ['percentage with deductible', { value_per_trip_percentage: 50, value_per_trip_deductible: 2 }, 'value_per_trip_percentage'],
    ['no value at all', { value_per_trip_max_amount: undefined }, 'value_per_trip_max_amount'],
    ['zero per-trip cap', { value_per_trip_max_amount: 0 }, 'value_per_trip_max_amount'],
    ['zero credit', { value_per_trip_max_amount: undefined, value_per_period_max_credit: 0 }, 'value_per_period_max_credit'],
    ['per-trip cap above the period credit', { value_per_trip_max_amount: 50, value_per_period_max_credit: 40 }, 'value_per_trip_max_amount'],
    ['more decimals than the currency', { currency_code: 'JPY', value_per_trip_max_amount: 10.5 }, 'value_per_trip_max_amount'],
    ['locations without a restriction type', { pickup_locations: [loc] }, 'trip_restriction_type'],
    ['PICKUP_AND_DROPOFF without dropoffs', { trip_restriction_type: 'PICKUP_AND_DROPOFF', pickup_locations: [loc] }, 'trip_restriction_type'],
    ['radius under 20 m', { trip_restriction_type: 'PICKUP_ONLY', pickup_locations: [{ ...loc, radius: 19 }] }, 'pickup_locations[0].radius'],
    ['location without address', { trip_restriction_type: 'PICKUP_ONLY', pickup_locations: [{ latitude: 1, longitude: 1, radius: 30 }] }, 'pickup_locations[0].address'],
    ['latitude out of range', { trip_restriction_type: 'PICKUP_ONLY', pickup_locations: [{ ...loc, latitude: 91 }] }, 'pickup_locations[0].latitude'],
    ['MULTI_CODE without number_of_codes', { number_of_codes: undefined }, 'number_of_codes'],
    ['MULTI_CODE with redemptions_per_code 3', { redemptions_per_code: 3 }, 'redemptions_per_code'],
    ['SINGLE_CODE with number_of_codes', { code_scheme: 'SINGLE_CODE_MULTI_REDEEM' }, 'number_of_codes'],
    ['unknown voucher_type', { voucher_type: 'BOATS' }, 'voucher_type'],
    ['unknown recurrence', { value_recurrence_period: 'WEEKLY' }, 'value_recurrence_period'],
  ])('%s → 400 naming the field, nothing written', async (_label, raw, field) => {
    const now = h.clock.now();
    const overrides: Record<string, unknown> = { ...raw };
    const times: Record<string, number> = { past25h: now - 25 * 3_600_000, future400d: now + 400 * DAY, future401d: now + 401 * DAY, now };
    for (const key of ['starts_at', 'ends_at']) if (typeof overrides[key] === 'string') overrides[key] = times[overrides[key] as string];
    const before = await programCount();
    const res = await create(overrides);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ code: 'invalid_request', metadata: { field } });
    expect(await programCount()).toBe(before);
  });

  it('accepts the edges: starts_at 24 h ago, percentage 5 and 99, credit alone (cap defaults to it), radius 20', async () => {
    const now = h.clock.now();
    for (const overrides of [
      { starts_at: now - 24 * 3_600_000 },
      { value_per_trip_percentage: 5 },
      { value_per_trip_percentage: 99 },
      { value_per_trip_max_amount: undefined, value_per_period_max_credit: 40 },
      { trip_restriction_type: 'PICKUP_OR_DROPOFF', dropoff_locations: [loc] },
    ]) {
      const res = await create(overrides);
      expect(res.statusCode, `${JSON.stringify(overrides)} ${res.body}`).toBe(200);
    }
    const creditOnly = await h.ctx.database.db
      .selectFrom('voucher_programs')
      .select(['value_per_trip_max_amount', 'value_per_period_max_credit'])
      .where('organization_id', '=', tenant.organizationId)
      .where('value_per_period_max_credit', 'is not', null)
      .executeTakeFirstOrThrow();
    expect(Number(creditOnly.value_per_trip_max_amount)).toBe(4000);
  });

  it('messages are localized; codes are not', async () => {
    const res = await create({ currency_code: 'XYZ' }, { 'accept-language': 'fr-FR' });
    expect(res.json().code).toBe('invalid_request');
    expect(res.json().message).toBe('currency_code doit être un code de devise ISO 4217.');
    expect(res.headers['content-language']).toBe('fr-FR');
  });
});

describe('GET voucher program: computed status, is_disabled, counters, exposure', () => {
  it('shows UPCOMING → ACTIVE → COMPLETE as the clock moves, with counters and exposure', async () => {
    const now = h.clock.now();
    const res = await create({ starts_at: now + 60_000, ends_at: now + 120_000, value_per_period_max_trips: 3 });
    const id = res.json().voucher_program_id;
    const get = async () => (await h.app.inject({ method: 'GET', url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${id}`, headers: bearer(tenant.token) })).json();
    expect(await get()).toMatchObject({
      status: 'UPCOMING',
      is_disabled: false,
      usage_trip_count: 0,
      usage_voucher_claim_count: 0,
      usage_amount: 0,
      usage_amount_currency: 'USD',
      total_dollar_exposure: 375,
      total_number_of_codes: 5,
    });
    h.clock.advance(60_000);
    expect((await get()).status).toBe('ACTIVE');
    h.clock.advance(60_000);
    expect((await get()).status).toBe('COMPLETE');
  });
});
