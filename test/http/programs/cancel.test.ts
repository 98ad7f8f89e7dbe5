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

const url = (programId: string, org = tenant.organizationId) => `/v1/organizations/${org}/voucher-programs/${programId}`;
const cancel = (programId: string, extra: Record<string, unknown> = {}) =>
  h.app.inject({ method: 'POST', url: `${url(programId)}/cancel`, headers: bearer(tenant.token), ...extra });
const row = (id: string) => h.ctx.database.db.selectFrom('voucher_programs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const updatedEvents = (id: string) =>
  h.ctx.database.db.selectFrom('outbox_events').selectAll().where('voucher_program_id', '=', id).where('event_type', '=', 'voucher_program_updated').execute();

describe('POST voucher-programs/{id}/cancel (docs/programs.md)', () => {
  it('answers 204 with no body, sets canceled_at, shows CANCELED + is_disabled, records one event', async () => {
    const id = await h.createProgram(tenant);
    const res = await cancel(id);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(Number((await row(id)).canceled_at)).toBe(h.clock.now());
    const get = await h.app.inject({ method: 'GET', url: url(id), headers: bearer(tenant.token) });
    expect(get.json()).toMatchObject({ status: 'CANCELED', is_disabled: true });
    const events = await updatedEvents(id);
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.payload)).toEqual({ status: 'CANCELED', canceled_at: h.clock.now() });
  });

  it('is idempotent: a second cancel is 204 and changes nothing', async () => {
    const id = await h.createProgram(tenant);
    expect((await cancel(id)).statusCode).toBe(204);
    const first = await row(id);
    h.clock.advance(5000);
    expect((await cancel(id)).statusCode).toBe(204);
    expect(await row(id)).toEqual(first);
    expect(await updatedEvents(id)).toHaveLength(1);
  });

  it('accepts an Uber-style empty JSON body or {} ', async () => {
    const a = await h.createProgram(tenant);
    const b = await h.createProgram(tenant);
    expect((await cancel(a, { headers: { ...bearer(tenant.token), 'content-type': 'application/json' }, payload: '' })).statusCode).toBe(204);
    expect((await cancel(b, { payload: {} })).statusCode).toBe(204);
    expect((await row(a)).canceled_at).not.toBeNull();
    expect((await row(b)).canceled_at).not.toBeNull();
  });

  it('concurrent cancels: all 204, exactly one event', async () => {
    const id = await h.createProgram(tenant);
    const results = await Promise.all(Array.from({ length: 8 }, () => cancel(id)));
    expect(results.map((r) => r.statusCode)).toEqual(Array(8).fill(204));
    expect(await updatedEvents(id)).toHaveLength(1);
  });

  it('stops generation at once (codes of a canceled program cannot grow)', async () => {
    const id = await h.createProgram(tenant);
    await cancel(id);
    const res = await h.app.inject({ method: 'POST', url: `${url(id)}/codes/generate`, headers: bearer(tenant.token), payload: { number_of_codes: 1 } });
    expect(res.statusCode).toBe(400);
    expect(Number((await row(id)).total_number_of_codes)).toBe(5);
  });

  it('a program canceled before it starts never becomes UPCOMING/ACTIVE again', async () => {
    const id = await h.createProgram(tenant, { starts_at: h.clock.now() + DAY });
    await cancel(id);
    const get = await h.app.inject({ method: 'GET', url: url(id), headers: bearer(tenant.token) });
    expect(get.json().status).toBe('CANCELED');
  });
});

describe('cancel — errors and security', () => {
  it('unknown program → 404; with Prefer: handling=strict a body with fields → 400; nothing changes', async () => {
    const id = await h.createProgram(tenant);
    const missing = await cancel('01900000-0000-7000-8000-000000000009');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('resource_not_found');
    for (const payload of [{ status: 'CANCELED' }, { organization_id: tenant.organizationId }, { canceled_at: 1 }]) {
      const res = await cancel(id, { payload, headers: { ...bearer(tenant.token), prefer: 'handling=strict' } });
      expect(res.statusCode).toBe(400);
      expect(res.json().metadata.field).toBe(Object.keys(payload)[0]);
    }
    const bad = await cancel(id, { headers: { ...bearer(tenant.token), 'content-type': 'application/json' }, payload: '{nope' });
    expect(bad.statusCode).toBe(400);
    expect((await row(id)).canceled_at).toBeNull();
  });

  it("org A cannot cancel org B's program: 404, B's program stays live", async () => {
    const other = await h.seedTenant();
    const id = await h.createProgram(other);
    const res = await cancel(id);
    expect(res.statusCode).toBe(404);
    expect((await row(id)).canceled_at).toBeNull();
    expect(await updatedEvents(id)).toHaveLength(0);
  });
});
