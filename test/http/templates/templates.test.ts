import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, createHarness, DAY, type Harness, type Tenant } from '../../helpers/harness.js';

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

const base = (t = tenant) => `/v1/organizations/${t.organizationId}/voucher-program-templates`;
const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, t = tenant) =>
  h.app.inject({ method, url, headers: bearer(t.token), ...(payload !== undefined ? { payload: payload as object } : {}) });
const templateRow = (id: string) => h.ctx.database.db.selectFrom('voucher_program_templates').selectAll().where('id', '=', id).executeTakeFirst();
const fromTemplate = (payload: Record<string, unknown>, t = tenant) => call('POST', `/v1/organizations/${t.organizationId}/voucher-programs/create-from-template`, payload, t);

const LOC = { latitude: 37.62, longitude: -122.38, radius: 500, address: 'SFO' };
const FULL = {
  template_name: 'Airport pickup',
  campaign_name: 'Ride to SFO',
  timezone: 'America/Los_Angeles',
  currency_code: 'USD',
  value_per_trip_max_amount: 40,
  value_per_trip_deductible: 5,
  value_per_period_max_trips: 2,
  value_recurrence_period: 'DAILY',
  trip_restriction_type: 'DROPOFF_ONLY',
  dropoff_locations: [LOC],
  vehicle_category_types: ['UberX'],
  expense_memo: 'travel',
};

describe('voucher-program-templates: create / list / get / patch', () => {
  it('creates (200 {uuid}) and shows the template with Uber names (uuid, deductible, percentage, …)', async () => {
    const res = await call('POST', base(), FULL);
    expect(res.statusCode, res.body).toBe(200);
    const { uuid } = res.json();
    expect(Object.keys(res.json())).toEqual(['uuid']);
    const stored = await templateRow(uuid);
    expect(stored).toMatchObject({ organization_id: tenant.organizationId, template_name: 'Airport pickup', creator_client_id: tenant.clientId });

    const get = await call('GET', `${base()}/${uuid}`);
    expect(get.statusCode).toBe(200);
    expect(get.json()).toEqual({
      uuid,
      creator_uuid: tenant.clientId,
      created_at: h.clock.now(),
      is_disabled: false,
      template_name: 'Airport pickup',
      campaign_name: 'Ride to SFO',
      timezone: 'America/Los_Angeles',
      currency_code: 'USD',
      is_fully_covered: false,
      deductible: 5,
      value_per_trip_max_amount: 40,
      value_per_period_max_trips: 2,
      value_recurrence_period: 'DAILY',
      trip_restriction_type: 'DROPOFF_ONLY',
      dropoff_locations: [LOC],
      vehicle_category_types: ['UberX'],
      expense_memo: 'travel',
    });

    const second = (await call('POST', base(), { template_name: 'Plain', value_per_trip_percentage: 50 })).json().uuid;
    const list = await call('GET', base());
    expect(list.statusCode).toBe(200);
    expect(list.json().voucher_program_templates.map((t: { uuid: string }) => t.uuid).sort()).toEqual([uuid, second].sort());
    const plain = list.json().voucher_program_templates.find((t: { uuid: string }) => t.uuid === second);
    expect(plain).toMatchObject({ percentage: 50, timezone: 'UTC', is_fully_covered: false });
  });

  it('patches partially, re-checking the merged template; can disable it', async () => {
    const { uuid } = (await call('POST', base(), FULL)).json();
    h.clock.advance(1000);
    const res = await call('PATCH', `${base()}/${uuid}`, { campaign_name: 'SFO rides', value_per_trip_max_amount: 45, vehicle_category_types: [] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ uuid, campaign_name: 'SFO rides', value_per_trip_max_amount: 45, vehicle_category_types: [], deductible: 5 });
    const stored = await templateRow(uuid);
    expect(stored).toMatchObject({ campaign_name: 'SFO rides', value_per_trip_max_amount: '45', vehicle_category_types: '[]' });
    expect(Number(stored!.updated_at)).toBe(h.clock.now());

    const bad = await call('PATCH', `${base()}/${uuid}`, { value_per_trip_percentage: 50 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().metadata.field).toBe('value_per_trip_percentage');
    expect((await templateRow(uuid))!.value_per_trip_percentage).toBeNull();

    expect((await call('PATCH', `${base()}/${uuid}`, { is_disabled: true })).json().is_disabled).toBe(true);
  });

  it.each([
    [{}, 'template_name'],
    [{ template_name: '' }, 'template_name'],
    [{ template_name: 'x', currency_code: 'ABC' }, 'currency_code'],
    [{ template_name: 'x', timezone: 'Nowhere/Land' }, 'timezone'],
    [{ template_name: 'x', value_per_trip_percentage: 3 }, 'value_per_trip_percentage'],
    [{ template_name: 'x', value_per_trip_percentage: 30, value_per_trip_deductible: 1 }, 'value_per_trip_percentage'],
    [{ template_name: 'x', is_fully_covered: true, value_per_trip_deductible: 1 }, 'is_fully_covered'],
    [{ template_name: 'x', currency_code: 'JPY', value_per_trip_max_amount: 1.5 }, 'value_per_trip_max_amount'],
    [{ template_name: 'x', creator_email: 'not-an-email' }, 'creator_email'],
  ])('create %j → 400 naming %s, nothing written', async (payload, field) => {
    const res = await call('POST', base(), payload);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ code: 'invalid_request', metadata: { field } });
    const n = await h.ctx.database.db.selectFrom('voucher_program_templates').select('id').where('organization_id', '=', tenant.organizationId).execute();
    expect(n).toHaveLength(0);
  });

  it.each([
    [{ template_name: 'x', uuid: 'mine' }, 'uuid'],
    [{ template_name: 'x', organization_id: 'x' }, 'organization_id'],
  ])('create %j with Prefer: handling=strict → 400 naming %s, nothing written', async (payload, field) => {
    const res = await h.app.inject({ method: 'POST', url: base(), headers: { ...bearer(tenant.token), prefer: 'handling=strict' }, payload });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ code: 'invalid_request', metadata: { field } });
    const n = await h.ctx.database.db.selectFrom('voucher_program_templates').select('id').where('organization_id', '=', tenant.organizationId).execute();
    expect(n).toHaveLength(0);
  });

  it('create with name, creator_email and value_per_period_max_amount: stored and shown; unknown uuid/organization_id ignored and named', async () => {
    const other = await h.seedTenant();
    const res = await call('POST', base(), {
      template_name: 'Team dinner',
      name: 'Dinner ride',
      creator_email: 'Office@Example.com',
      currency_code: 'USD',
      value_per_trip_max_amount: 20,
      value_per_period_max_amount: 40,
      uuid: 'mine',
      organization_id: other.organizationId,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(String(res.headers['voucherd-ignored-fields']).split(',').sort()).toEqual(['organization_id', 'uuid']);
    const id = res.json().uuid;
    expect(id).not.toBe('mine');
    const got = (await call('GET', `${base()}/${id}`)).json();
    expect(got).toMatchObject({ uuid: id, template_name: 'Team dinner', name: 'Dinner ride', creator_email: 'office@example.com', value_per_period_max_amount: 40 });
    expect((await templateRow(id))!.organization_id).toBe(tenant.organizationId);
    // Programs from it take its name and owner contact.
    const now = h.clock.now();
    const program = await fromTemplate({ template_id: id, starts_at: now, ends_at: now + DAY });
    expect(program.statusCode, program.body).toBe(200);
    const row = await h.ctx.database.db.selectFrom('voucher_programs').selectAll().where('id', '=', program.json().voucher_program_id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: 'Dinner ride', creator_email: 'office@example.com' });
    expect(Number(row.value_per_period_max_amount)).toBe(4000);
  });

  it('unknown or foreign template → 404 resource_not_found on GET and PATCH; the foreign one is untouched', async () => {
    const other = await h.seedTenant();
    const foreign = (await call('POST', base(other), FULL, other)).json().uuid;
    const before = await templateRow(foreign);
    for (const id of [foreign, '01900000-0000-7000-8000-0000000000aa']) {
      const get = await call('GET', `${base()}/${id}`);
      const patch = await call('PATCH', `${base()}/${id}`, { template_name: 'pwned' });
      expect(get.statusCode).toBe(404);
      expect(patch.statusCode).toBe(404);
      expect(get.json()).toMatchObject({ code: 'resource_not_found', message: 'Voucher template is not found.' });
    }
    expect(await templateRow(foreign)).toEqual(before);
    expect((await call('GET', base())).json().voucher_program_templates).toEqual([]);
  });
});

describe('POST voucher-programs/create-from-template', () => {
  it('creates a SINGLE_CODE program from the template presets (name = campaign_name) with code_text + code_link', async () => {
    const { uuid } = (await call('POST', base(), FULL)).json();
    const now = h.clock.now();
    const res = await fromTemplate({ template_id: uuid, starts_at: now, ends_at: now + 7 * DAY, redemptions_per_code: 20 });
    expect(res.statusCode, res.body).toBe(200);
    const { voucher_program_id: id, code_text, code_link } = res.json();
    expect(code_text).toMatch(/^[0-9A-Z]{13}$/);
    expect(code_link).toBe(`https://vouchers.test/redeem/${code_text}`);
    const program = await h.ctx.database.db.selectFrom('voucher_programs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(program).toMatchObject({
      organization_id: tenant.organizationId,
      name: 'Ride to SFO',
      code_scheme: 'SINGLE_CODE_MULTI_REDEEM',
      redemptions_per_code: 20,
      timezone: 'America/Los_Angeles',
      currency_code: 'USD',
      value_recurrence_period: 'DAILY',
      trip_restriction_type: 'DROPOFF_ONLY',
      expense_memo: 'travel',
    });
    expect(Number(program.value_per_trip_max_amount)).toBe(4000);
    expect(Number(program.value_per_trip_deductible)).toBe(500);
    const created = await h.ctx.database.db.selectFrom('outbox_events').select('event_type').where('voucher_program_id', '=', id).execute();
    expect(created.map((e) => e.event_type)).toEqual(['voucher_program_created']);
  });

  it('overrides win: name, MULTI_CODE with number_of_codes, amounts', async () => {
    const { uuid } = (await call('POST', base(), FULL)).json();
    const now = h.clock.now();
    const res = await fromTemplate({
      template_id: uuid,
      name: 'Board offsite',
      starts_at: now,
      ends_at: now + DAY,
      code_scheme: 'MULTI_CODE_SINGLE_REDEEM',
      number_of_codes: '7',
      value_per_trip_max_amount: 60,
    });
    expect(res.statusCode, res.body).toBe(200);
    const id = res.json().voucher_program_id;
    const program = await h.ctx.database.db.selectFrom('voucher_programs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(program).toMatchObject({ name: 'Board offsite', code_scheme: 'MULTI_CODE_SINGLE_REDEEM', total_number_of_codes: 7 });
    expect(Number(program.value_per_trip_max_amount)).toBe(6000);
    const codes = await h.ctx.database.db.selectFrom('voucher_codes').select('id').where('program_id', '=', id).execute();
    expect(codes).toHaveLength(7);
  });

  it('errors: disabled template, missing currency, create rules, unknown/foreign template', async () => {
    const now = h.clock.now();
    const window = { starts_at: now, ends_at: now + DAY };
    const count = async () => (await h.ctx.database.db.selectFrom('voucher_programs').select('id').where('organization_id', '=', tenant.organizationId).execute()).length;
    const disabled = (await call('POST', base(), FULL)).json().uuid;
    await call('PATCH', `${base()}/${disabled}`, { is_disabled: true });
    const r1 = await fromTemplate({ template_id: disabled, ...window });
    expect(r1.statusCode).toBe(400);
    expect(r1.json()).toMatchObject({ message: 'The voucher template is disabled.', metadata: { field: 'template_id' } });

    const noCurrency = (await call('POST', base(), { template_name: 'No currency', value_per_trip_max_amount: 10 })).json().uuid;
    const r2 = await fromTemplate({ template_id: noCurrency, ...window });
    expect(r2.statusCode).toBe(400);
    expect(r2.json().metadata.field).toBe('currency_code');
    expect((await fromTemplate({ template_id: noCurrency, currency_code: 'EUR', ...window })).statusCode).toBe(200);

    const good = (await call('POST', base(), FULL)).json().uuid;
    const r3 = await fromTemplate({ template_id: good, starts_at: now, ends_at: now });
    expect(r3.statusCode).toBe(400);
    expect(r3.json().metadata.field).toBe('ends_at');
    // The template's 12.5 fits USD but not JPY: checked once the currency is known.
    const decimal = (await call('POST', base(), { template_name: 'Decimal', value_per_trip_max_amount: 12.5 })).json().uuid;
    const r4 = await fromTemplate({ template_id: decimal, ...window, currency_code: 'JPY' });
    expect(r4.statusCode).toBe(400);
    expect(r4.json().metadata.field).toBe('value_per_trip_max_amount');
    const r5 = await h.app.inject({
      method: 'POST',
      url: `/v1/organizations/${tenant.organizationId}/voucher-programs/create-from-template`,
      headers: { ...bearer(tenant.token), prefer: 'handling=strict' },
      payload: { template_id: good, ...window, is_fully_covered: true },
    });
    expect(r5.statusCode).toBe(400);
    expect(r5.json().metadata.field).toBe('is_fully_covered');

    const other = await h.seedTenant();
    const foreign = (await call('POST', base(other), FULL, other)).json().uuid;
    const r6 = await fromTemplate({ template_id: foreign, ...window });
    const r7 = await fromTemplate({ template_id: '01900000-0000-7000-8000-0000000000bb', ...window });
    expect(r6.statusCode).toBe(404);
    expect({ ...r6.json(), request_id: 0 }).toEqual({ ...r7.json(), request_id: 0 });
    expect(await count()).toBe(1);
  });
});
