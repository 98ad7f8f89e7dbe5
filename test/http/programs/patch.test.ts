import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, createHarness, DAY, type Harness, type Tenant } from '../../helpers/harness.js';

let h: Harness;
let tenant: Tenant;
beforeAll(async () => {
  // Tokens live 30 days here: these tests move the clock past program starts and ends.
  h = await createHarness({ env: { ACCESS_TOKEN_TTL_SECONDS: String(30 * 86_400) } });
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  tenant = await h.seedTenant();
});

const url = (programId: string, org = tenant.organizationId) => `/v1/organizations/${org}/voucher-programs/${programId}`;
const patch = (programId: string, payload: unknown, headers: Record<string, string> = {}) =>
  h.app.inject({ method: 'PATCH', url: url(programId), headers: { ...bearer(tenant.token), ...headers }, payload: payload as object });
const row = (id: string) => h.ctx.database.db.selectFrom('voucher_programs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const events = (id: string) =>
  h.ctx.database.db.selectFrom('outbox_events').selectAll().where('voucher_program_id', '=', id).where('event_type', '=', 'voucher_program_updated').execute();

describe('PATCH voucher program — before start (docs/programs.md)', () => {
  it('changes any mutable field, answers the updated program and records voucher_program_updated', async () => {
    const id = await h.createProgram(tenant, { starts_at: h.clock.now() + 2 * DAY, ends_at: h.clock.now() + 10 * DAY });
    const res = await patch(id, {
      name: 'Conference shuttles',
      starts_at: h.clock.now() + DAY,
      timezone: 'Europe/Paris',
      value_per_trip_max_amount: 12.5,
      value_per_trip_percentage: 50,
      voucher_type: 'EATS',
      expense_memo: 'conf-2026',
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      voucher_program_id: id,
      name: 'Conference shuttles',
      starts_at: h.clock.now() + DAY,
      timezone: 'Europe/Paris',
      value_per_trip_max_amount: 12.5,
      value_per_trip_percentage: 50,
      voucher_type: 'EATS',
      expense_memo: 'conf-2026',
      status: 'UPCOMING',
      currency_code: 'USD',
    });
    const stored = await row(id);
    expect(stored).toMatchObject({ name: 'Conference shuttles', timezone: 'Europe/Paris', value_per_trip_max_amount: 1250, value_per_trip_percentage: 50 });
    expect(Number(stored.starts_at)).toBe(h.clock.now() + DAY);
    const [event] = await events(id);
    expect(JSON.parse(event!.payload).changed_fields).toEqual(
      ['expense_memo', 'name', 'starts_at', 'timezone', 'value_per_trip_max_amount', 'value_per_trip_percentage', 'voucher_type'].sort(),
    );
  });

  it('may shorten or lower values before the start', async () => {
    const id = await h.createProgram(tenant, { starts_at: h.clock.now() + DAY, value_per_trip_max_amount: 30 });
    const res = await patch(id, { ends_at: h.clock.now() + 2 * DAY, value_per_trip_max_amount: 5 });
    expect(res.statusCode, res.body).toBe(200);
    expect(Number((await row(id)).ends_at)).toBe(h.clock.now() + 2 * DAY);
    expect(Number((await row(id)).value_per_trip_max_amount)).toBe(500);
  });

  it('a no-op patch answers 200 and records nothing', async () => {
    const id = await h.createProgram(tenant);
    const res = await patch(id, { name: 'Airport rides' });
    expect(res.statusCode).toBe(200);
    expect(await events(id)).toHaveLength(0);
  });
});

describe('PATCH voucher program — after start: only increases and extensions', () => {
  it('accepts raising amounts and trips, extending ends_at, renaming, adding locations', async () => {
    const loc = { latitude: 40.64, longitude: -73.78, radius: 200, address: 'JFK' };
    const id = await h.createProgram(tenant, {
      value_per_period_max_trips: 2,
      trip_restriction_type: 'PICKUP_ONLY',
      pickup_locations: [loc],
    });
    h.clock.advance(DAY);
    const extra = { latitude: 40.77, longitude: -73.87, radius: 300, address: 'LGA' };
    const res = await patch(id, {
      name: 'Airport rides+',
      ends_at: h.clock.now() + 60 * DAY,
      value_per_trip_max_amount: 40,
      value_per_period_max_trips: 5,
      pickup_locations: [loc, extra],
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ACTIVE', value_per_trip_max_amount: 40, value_per_period_max_trips: 5, pickup_locations: [loc, extra] });
    const stored = await row(id);
    expect(Number(stored.value_per_trip_max_amount)).toBe(4000);
    expect(JSON.parse(stored.pickup_locations!)).toEqual([loc, extra]);
  });

  it.each([
    [{ value_per_trip_max_amount: 10 }, 'value_per_trip_max_amount', 'field_reduced'],
    [{ ends_at: 'shorter' }, 'ends_at', 'field_reduced'],
    [{ starts_at: 'later' }, 'starts_at', 'locked'],
    [{ timezone: 'Asia/Tokyo' }, 'timezone', 'locked'],
    [{ voucher_type: 'EATS' }, 'voucher_type', 'locked'],
    [{ value_recurrence_period: 'DAILY' }, 'value_recurrence_period', 'locked'],
    [{ value_per_period_max_trips: 3 }, 'value_per_period_max_trips', 'field_reduced'],
    [{ value_per_trip_percentage: 50 }, 'value_per_trip_percentage', 'field_reduced'],
    [{ value_per_trip_deductible: 3 }, 'value_per_trip_deductible', 'field_reduced'],
  ])('refuses %j with 400 naming %s, nothing changes', async (change, field, kind) => {
    const id = await h.createProgram(tenant, { value_per_trip_max_amount: 25 });
    h.clock.advance(DAY);
    const payload: Record<string, unknown> = { ...change };
    if (payload.ends_at === 'shorter') payload.ends_at = h.clock.now() + DAY;
    if (payload.starts_at === 'later') payload.starts_at = h.clock.now() + DAY;
    const before = await row(id);
    const res = await patch(id, payload);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().code).toBe('invalid_request');
    expect(res.json().metadata.field).toBe(field);
    expect(res.json().message).toContain(field);
    expect(res.json().message).toMatch(kind === 'locked' ? /cannot be changed after the voucher program has started/ : /can only change in favor/);
    expect(await row(id)).toEqual(before);
    expect(await events(id)).toHaveLength(0);
  });

  it('refuses removing a location after start', async () => {
    const a = { latitude: 1, longitude: 1, radius: 50, address: 'A' };
    const b = { latitude: 2, longitude: 2, radius: 50, address: 'B' };
    const id = await h.createProgram(tenant, { trip_restriction_type: 'DROPOFF_ONLY', dropoff_locations: [a, b] });
    h.clock.advance(1000);
    const res = await patch(id, { dropoff_locations: [a] });
    expect(res.statusCode).toBe(400);
    expect(res.json().metadata.field).toBe('dropoff_locations');
    expect(JSON.parse((await row(id)).dropoff_locations!)).toEqual([a, b]);
  });
});

describe('PATCH voucher program — errors', () => {
  it.each(['code_scheme', 'currency_code'])('refuses the immutable field %s with a message naming it', async (field) => {
    const id = await h.createProgram(tenant, { starts_at: h.clock.now() + DAY });
    const before = await row(id);
    const res = await patch(id, { [field]: field === 'code_scheme' ? 'SINGLE_CODE_MULTI_REDEEM' : 'EUR' }, { 'accept-language': 'de_DE' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'invalid_request', metadata: { field } });
    expect(res.json().message).toContain(field);
    expect(res.headers['content-language']).toBe('de-DE');
    expect(res.json().message).toMatch(/kann nach dem Anlegen/);
    expect(await row(id)).toEqual(before);
  });

  it('refuses a CANCELED program (400) and a COMPLETE one (400)', async () => {
    const canceled = await h.createProgram(tenant);
    await h.app.inject({ method: 'POST', url: `${url(canceled)}/cancel`, headers: bearer(tenant.token) });
    const res = await patch(canceled, { name: 'x' });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe('The voucher program is canceled.');
    expect((await row(canceled)).name).toBe('Airport rides');

    const ended = await h.createProgram(tenant, { ends_at: h.clock.now() + DAY });
    h.clock.advance(2 * DAY);
    const res2 = await patch(ended, { ends_at: h.clock.now() + 30 * DAY });
    expect(res2.statusCode).toBe(400);
    expect(res2.json().message).toBe('The voucher program has ended.');
  });

  it.each([
    [{}, 'patch_empty'],
    [{ name: '' }, 'name'],
    [{ value_per_trip_percentage: 4 }, 'value_per_trip_percentage'],
    [{ value_per_trip_deductible: 2, value_per_trip_percentage: 50 }, 'value_per_trip_percentage'],
    [{ ends_at: 'before-start' }, 'ends_at'],
    [{ timezone: 'Mars/Olympus' }, 'timezone'],
    [{ value_per_trip_max_amount: 1.234 }, 'value_per_trip_max_amount'],
    [{ trip_restriction_type: 'PICKUP_ONLY' }, 'trip_restriction_type'],
  ])('before start, invalid %j → 400 (%s), nothing written', async (payload, field) => {
    const id = await h.createProgram(tenant, { starts_at: h.clock.now() + DAY });
    const body: Record<string, unknown> = { ...payload };
    if (body.ends_at === 'before-start') body.ends_at = h.clock.now();
    const before = await row(id);
    const res = await patch(id, body);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().code).toBe('invalid_request');
    if (field === 'patch_empty') expect(res.json().message).toBe('The request must change at least one field.');
    else expect(res.json().metadata.field).toBe(field);
    expect(await row(id)).toEqual(before);
  });

  it.each([
    [{ number_of_codes: 5 }, 'number_of_codes'],
    [{ status: 'ACTIVE' }, 'status'],
    [{ organization_id: 'x' }, 'organization_id'],
    [{ usage_amount: 999 }, 'usage_amount'],
  ])('with Prefer: handling=strict, unknown %j → 400 (%s), nothing written', async (payload, field) => {
    const id = await h.createProgram(tenant, { starts_at: h.clock.now() + DAY });
    const before = await row(id);
    const res = await patch(id, { name: 'Renamed', ...payload }, { prefer: 'handling=strict' });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().metadata.field).toBe(field);
    expect(await row(id)).toEqual(before);
  });

  it('by default unknown fields are ignored and named: only the known change is applied (no mass assignment)', async () => {
    const other = await h.seedTenant();
    const id = await h.createProgram(tenant, { starts_at: h.clock.now() + DAY });
    const before = await row(id);
    const extras = { status: 'CANCELED', organization_id: other.organizationId, usage_amount: 999, usage_trip_count: 7, total_number_of_codes: 500, id: 'x', number_of_codes: 9 };
    const res = await patch(id, { name: 'Renamed', ...extras });
    expect(res.statusCode, res.body).toBe(200);
    expect(String(res.headers['voucherd-ignored-fields']).split(',').sort()).toEqual(Object.keys(extras).sort());
    const after = await row(id);
    expect(after).toEqual({ ...before, name: 'Renamed', updated_at: after.updated_at });
    // Only unknown fields: nothing to change, refused as an empty patch.
    const empty = await patch(id, { status: 'CANCELED' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().message).toBe('The request must change at least one field.');
    expect((await row(id)).canceled_at).toBeNull();
  });

  it('unknown program → 404 resource_not_found', async () => {
    const res = await patch('01900000-0000-7000-8000-000000000001', { name: 'x' });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('resource_not_found');
  });
});

describe('PATCH voucher program — security', () => {
  it("org A cannot patch org B's program even naming B's org in the body; B's row is untouched", async () => {
    const other = await h.seedTenant();
    const id = await h.createProgram(other);
    const before = await row(id);
    const res = await patch(id, { name: 'pwned' });
    expect(res.statusCode).toBe(404);
    const res2 = await h.app.inject({ method: 'PATCH', url: url(id, other.organizationId), headers: bearer(tenant.token), payload: { name: 'pwned' } });
    expect(res2.statusCode).toBe(403);
    expect(await row(id)).toEqual(before);
  });

  it('never 500s on hostile values', async () => {
    const id = await h.createProgram(tenant, { starts_at: h.clock.now() + DAY });
    for (const payload of [{ ends_at: '99999999999999999' }, { name: 'x'.repeat(100_000) }, { pickup_locations: [{}] }, { ends_at: null }, [] as unknown]) {
      const res = await patch(id, payload);
      expect(res.statusCode, JSON.stringify(payload).slice(0, 60)).toBe(400);
    }
  });
});

describe('PATCH voucher program — concurrency', () => {
  it('concurrent patches all apply (none lost), one event each; a patch racing a cancel never revives it', async () => {
    const id = await h.createProgram(tenant, { value_per_trip_max_amount: 10 });
    // Renames are always allowed, so each must apply on top of the others (optimistic retry).
    const results = await Promise.all([11, 12, 13, 14, 15].map((n) => patch(id, { name: `n${n}`, description: `d${n}` })));
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(await events(id)).toHaveLength(5);
    const stored = await row(id);
    expect(results.map((r) => r.json().name)).toContain(stored.name);
    // Name and description come from the same request: no write interleaved inside another.
    expect(stored.description).toBe(stored.name.replace('n', 'd'));

    // Raises racing each other: whichever commits first, a later smaller one is (rightly) refused
    // as a reduction; the stored value is the largest accepted, never a lost update.
    const raises = await Promise.all([20, 30, 40].map((amount) => patch(id, { value_per_trip_max_amount: amount })));
    const accepted = raises.filter((r) => r.statusCode === 200).map((r) => r.json().value_per_trip_max_amount as number);
    for (const r of raises) if (r.statusCode !== 200) expect(r.json().metadata.field).toBe('value_per_trip_max_amount');
    expect(Number((await row(id)).value_per_trip_max_amount)).toBe(Math.max(...accepted) * 100);

    const [patched, canceled] = await Promise.all([
      patch(id, { name: 'after cancel?' }),
      h.app.inject({ method: 'POST', url: `${url(id)}/cancel`, headers: bearer(tenant.token) }),
    ]);
    expect(canceled.statusCode).toBe(204);
    expect([200, 400]).toContain(patched.statusCode);
    const final = await row(id);
    expect(final.canceled_at).not.toBeNull();
    expect(final.name).toBe(patched.statusCode === 200 ? 'after cancel?' : stored.name);
  });
});
