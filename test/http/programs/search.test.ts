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

const search = (payload: unknown, t = tenant) =>
  h.app.inject({ method: 'POST', url: `/v1/organizations/${t.organizationId}/voucher-programs/search`, headers: bearer(t.token), payload: payload as object });

// Uber's summary fields plus voucherd's two counters (docs/programs.md, Search).
const FIELDS = ['voucher_program_id', 'name', 'status', 'total_dollar_exposure', 'currency_code', 'starts_at', 'ends_at', 'created_at', 'voucher_type', 'code_scheme', 'total_number_of_codes', 'usage_voucher_claim_count', 'usage_trip_count', 'usage_amount'];

describe('POST voucher-programs/search (docs/programs.md)', () => {
  it('lists the org programs newest first with exactly the listed fields', async () => {
    const a = await h.createProgram(tenant, { name: 'A', value_per_period_max_trips: 2 });
    h.clock.advance(10);
    const b = await h.createProgram(tenant, { name: 'B', code_scheme: 'SINGLE_CODE_MULTI_REDEEM', number_of_codes: undefined, redemptions_per_code: 10, value_per_period_max_credit: 30 });
    const res = await search({ limit: 10, offset: 0 });
    expect(res.statusCode, res.body).toBe(200);
    const list = res.json().voucher_programs;
    expect(list.map((p: { voucher_program_id: string }) => p.voucher_program_id)).toEqual([b, a]);
    for (const p of list) expect(Object.keys(p).sort()).toEqual([...FIELDS].sort());
    // A: 5 codes × 25 USD × 2 trips; B: 10 claims × 30 USD credit.
    expect(list[1]).toMatchObject({ name: 'A', status: 'ACTIVE', total_dollar_exposure: 250, currency_code: 'USD', code_scheme: 'MULTI_CODE_SINGLE_REDEEM', voucher_type: 'PERSONAL_TRANSPORT' });
    expect(list[0]).toMatchObject({ name: 'B', total_dollar_exposure: 300, code_scheme: 'SINGLE_CODE_MULTI_REDEEM' });
    expect(list[1]).toMatchObject({ total_number_of_codes: 5, usage_voucher_claim_count: 0, usage_trip_count: 0, usage_amount: 0 });
    expect(list[0]).toMatchObject({ total_number_of_codes: 1, usage_voucher_claim_count: 0 });
  });

  it('filters by computed status and pages with limit + offset', async () => {
    const now = h.clock.now();
    const upcoming = await h.createProgram(tenant, { starts_at: now + DAY, ends_at: now + 3 * DAY });
    const active = await h.createProgram(tenant, { starts_at: now, ends_at: now + 3 * DAY });
    const completing = await h.createProgram(tenant, { starts_at: now - 1000, ends_at: now + 500 });
    const canceled = await h.createProgram(tenant);
    await h.app.inject({ method: 'POST', url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${canceled}/cancel`, headers: bearer(tenant.token) });
    h.clock.advance(1000);
    const ids = async (status: string) => (await search({ program_status: status, limit: 50 })).json().voucher_programs.map((p: { voucher_program_id: string }) => p.voucher_program_id);
    expect(await ids('UPCOMING')).toEqual([upcoming]);
    expect(await ids('ACTIVE')).toEqual([active]);
    expect(await ids('COMPLETE')).toEqual([completing]);
    expect(await ids('CANCELED')).toEqual([canceled]);
    const page1 = (await search({ limit: 2 })).json().voucher_programs;
    const page2 = (await search({ limit: '2', offset: '2' })).json().voucher_programs;
    expect(page1).toHaveLength(2);
    expect(page2).toHaveLength(2);
    const all = [...page1, ...page2].map((p) => p.voucher_program_id);
    expect(new Set(all)).toEqual(new Set([upcoming, active, completing, canceled]));
    expect((await search({ limit: 2, offset: 4 })).json().voucher_programs).toEqual([]);
    expect((await search({})).json().voucher_programs).toHaveLength(4);
  });

  it.each([
    [{ program_status: 'PAUSED' }, 'program_status'],
    [{ limit: 0 }, 'limit'],
    [{ limit: 101 }, 'limit'],
    [{ limit: '1e3' }, 'limit'],
    [{ offset: -1 }, 'offset'],
    [{ limit: 1.5 }, 'limit'],
  ])('%j → 400 naming %s', async (payload, field) => {
    const res = await search(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'invalid_request', metadata: { field } });
  });

  it('an unknown field is ignored and named; with Prefer: handling=strict → 400 naming it', async () => {
    const ok = await search({ organization_id: 'x' });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['voucherd-ignored-fields']).toBe('organization_id');
    const strict = await h.app.inject({
      method: 'POST',
      url: `/v1/organizations/${tenant.organizationId}/voucher-programs/search`,
      headers: { ...bearer(tenant.token), prefer: 'handling=strict' },
      payload: { organization_id: 'x' },
    });
    expect(strict.statusCode).toBe(400);
    expect(strict.json()).toMatchObject({ code: 'invalid_request', metadata: { field: 'organization_id' } });
  });

  it('program_status in any letter case (clients echo Uber\'s Title case) and null for any status', async () => {
    const active = await h.createProgram(tenant);
    const upper = (await search({ program_status: 'ACTIVE' })).json().voucher_programs.map((p: { voucher_program_id: string }) => p.voucher_program_id);
    expect(upper).toContain(active);
    for (const status of ['Active', 'active', 'aCtIvE']) {
      const res = await search({ program_status: status });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().voucher_programs.map((p: { voucher_program_id: string }) => p.voucher_program_id)).toEqual(upper);
      for (const p of res.json().voucher_programs) expect(p.status).toBe('ACTIVE');
    }
    const any = await search({ program_status: null, limit: 100, offset: 0 });
    expect(any.statusCode, any.body).toBe(200);
    expect(any.json().voucher_programs.length).toBe((await search({ limit: 100 })).json().voucher_programs.length);
  });

  it("never shows another organization's programs", async () => {
    const other = await h.seedTenant();
    const foreign = await h.createProgram(other);
    const mine = await h.createProgram(tenant);
    const res = await search({ limit: 100 });
    expect(res.json().voucher_programs.map((p: { voucher_program_id: string }) => p.voucher_program_id)).toEqual([mine]);
    expect(res.body).not.toContain(foreign);
  });
});
