import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, programBody, type Harness, type Tenant } from '../../helpers/harness.js';

/** Fields real Uber integrations send beyond the published list (docs/compatibility.md). */
let h: Harness;
let tenant: Tenant;
beforeAll(async () => {
  h = await createHarness();
  tenant = await h.seedTenant();
});
afterAll(async () => {
  await h.close();
});

const base = () => `/v1/organizations/${tenant.organizationId}/voucher-programs`;
const create = (overrides: Record<string, unknown>) =>
  h.app.inject({ method: 'POST', url: base(), headers: bearer(tenant.token), payload: programBody(h.clock.now(), overrides) });
const get = (id: string) => h.app.inject({ method: 'GET', url: `${base()}/${id}`, headers: bearer(tenant.token) });
const row = (id: string) => h.ctx.database.db.selectFrom('voucher_programs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('creator_email, value_per_period_max_amount and the legacy names', () => {
  it('creator_email: stored lower-cased and returned; empty is accepted and kept empty; malformed → 400', async () => {
    const a = await create({ creator_email: 'Owner@Example.COM' });
    expect(a.statusCode, a.body).toBe(200);
    expect((await get(a.json().voucher_program_id)).json().creator_email).toBe('owner@example.com');
    const b = await create({ creator_email: '' });
    expect(b.statusCode, b.body).toBe(200);
    expect((await row(b.json().voucher_program_id)).creator_email).toBe('');
    const bad = await create({ creator_email: 'owner@' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().metadata.field).toBe('creator_email');
  });

  it('value_per_period_max_amount alone is enough value: the per-trip cap defaults to it; above it → 400', async () => {
    const res = await create({ value_per_trip_max_amount: undefined, value_per_period_max_amount: 40 });
    expect(res.statusCode, res.body).toBe(200);
    const program = (await get(res.json().voucher_program_id)).json();
    expect(program).toMatchObject({ value_per_period_max_amount: 40, value_per_trip_max_amount: 40 });
    // Exposure per code is bounded by the per-period amount.
    expect(program.total_dollar_exposure).toBe(40 * 5);
    const over = await create({ value_per_trip_max_amount: 50, value_per_period_max_amount: 40 });
    expect(over.statusCode).toBe(400);
    expect(over.json().metadata.field).toBe('value_per_trip_max_amount');
    const precise = await create({ value_per_period_max_amount: 1.234 });
    expect(precise.json().metadata.field).toBe('value_per_period_max_amount');
  });

  it('legacy names are accepted as input and answered by GET; a contradiction between a name and its alias → 400', async () => {
    const res = await create({ value_per_trip_max_amount: undefined, endmax_value_per_trips_at: 12, max_trips_per_client: 3 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['voucherd-ignored-fields']).toBeUndefined();
    const program = (await get(res.json().voucher_program_id)).json();
    expect(program).toMatchObject({ value_per_trip_max_amount: 12, endmax_value_per_trips_at: 12, value_per_period_max_trips: 3, max_trips_per_client: 3 });
    const same = await create({ value_per_trip_max_amount: 12, endmax_value_per_trips_at: 12 });
    expect(same.statusCode, same.body).toBe(200);
    const clash = await create({ value_per_period_max_trips: 2, max_trips_per_client: 3 });
    expect(clash.statusCode).toBe(400);
    expect(clash.json().metadata.field).toBe('max_trips_per_client');
    // PATCH takes the alias too.
    const id = res.json().voucher_program_id;
    const patched = await h.app.inject({ method: 'PATCH', url: `${base()}/${id}`, headers: bearer(tenant.token), payload: { max_trips_per_client: 4 } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ value_per_period_max_trips: 4, max_trips_per_client: 4 });
  });

  it('enums in any letter case are stored and answered in upper case', async () => {
    const res = await create({ code_scheme: 'multi_code_single_redeem', voucher_type: 'Eats', value_recurrence_period: 'daily' });
    expect(res.statusCode, res.body).toBe(200);
    const program = (await get(res.json().voucher_program_id)).json();
    expect(program).toMatchObject({ code_scheme: 'MULTI_CODE_SINGLE_REDEEM', voucher_type: 'EATS', value_recurrence_period: 'DAILY' });
  });
});
