import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, DAY, type Harness, type Tenant } from '../../helpers/harness.js';

/** Create Individual Voucher Program: a one-person program from a template (docs/compatibility.md). */
let h: Harness;
let tenant: Tenant;
let other: Tenant;
beforeAll(async () => {
  h = await createHarness();
  tenant = await h.seedTenant();
  other = await h.seedTenant();
});
afterAll(async () => {
  await h.close();
});

const url = (t: Tenant) => `/v1/organizations/${t.organizationId}/individual_voucher_program/create`;
const call = (payload: Record<string, unknown>, headers: Record<string, string> = {}, t = tenant) =>
  h.app.inject({ method: 'POST', url: url(t), headers: { ...bearer(t.token), ...headers }, payload });

async function template(t: Tenant, fields: Record<string, unknown> = {}): Promise<string> {
  const res = await h.app.inject({
    method: 'POST',
    url: `/v1/organizations/${t.organizationId}/voucher-program-templates`,
    headers: bearer(t.token),
    payload: { template_name: 'Visitor', name: 'Visitor ride', currency_code: 'USD', value_per_trip_max_amount: 30, ...fields },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().uuid;
}

const counts = async () => ({
  programs: (await h.ctx.database.db.selectFrom('voucher_programs').select('id').execute()).length,
  guests: (await h.ctx.database.db.selectFrom('program_guests').select('id').execute()).length,
});

describe('POST individual_voucher_program/create', () => {
  it('creates the program from the template with the person as its guest; answers like create-from-template', async () => {
    const id = await template(tenant);
    const now = h.clock.now();
    const res = await call({ template_uuid: id, name: 'Visitor ride', email_address: 'Visitor@Example.com', description: 'd', memo: 'm-1', starts_at: now, owner_type: 'organization', owner_uuid: tenant.organizationId });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ voucher_program_id: expect.any(String), code_text: expect.any(String), code_link: expect.stringContaining('/redeem/') });
    const program = await h.ctx.database.db.selectFrom('voucher_programs').selectAll().where('id', '=', res.json().voucher_program_id).executeTakeFirstOrThrow();
    expect(program).toMatchObject({ organization_id: tenant.organizationId, name: 'Visitor ride', description: 'd', expense_memo: 'm-1', code_scheme: 'SINGLE_CODE_MULTI_REDEEM' });
    expect(Number(program.starts_at)).toBe(now);
    expect(Number(program.ends_at)).toBe(now + 30 * DAY);
    const guests = await h.ctx.database.db.selectFrom('program_guests').selectAll().where('program_id', '=', program.id).execute();
    expect(guests.map((g) => [g.email, g.phone])).toEqual([['visitor@example.com', null]]);
  });

  it('a MULTI_CODE template gives the person their own code', async () => {
    const id = await template(tenant, { code_scheme: 'MULTI_CODE_SINGLE_REDEEM' });
    const res = await call({ template_uuid: id, name: 'Visitor ride', mobile_number: '+15555550199', ends_at: h.clock.now() + DAY });
    expect(res.statusCode, res.body).toBe(200);
    const guest = await h.ctx.database.db.selectFrom('program_guests').selectAll().where('program_id', '=', res.json().voucher_program_id).executeTakeFirstOrThrow();
    const code = await h.ctx.database.db.selectFrom('voucher_codes').selectAll().where('program_id', '=', res.json().voucher_program_id).executeTakeFirstOrThrow();
    expect(guest.code_id).toBe(code.id);
    expect(res.json().code_text).toBe(code.code_text);
  });

  it.each([
    ['no contact', { name: 'Visitor ride' }, 400, 'email_address'],
    ['a bad email', { name: 'Visitor ride', email_address: 'nope' }, 400, 'email_address'],
    ['a bad phone', { name: 'Visitor ride', mobile_number: '12' }, 400, 'mobile_number'],
    ["a name other than the template's", { name: 'Other', email_address: 'a@example.com' }, 400, 'name'],
    ['an owner organization other than this one', { name: 'Visitor ride', email_address: 'a@example.com', owner_type: 'ORGANIZATION', owner_uuid: '01900000-0000-7000-8000-000000000001' }, 400, 'owner_uuid'],
  ])('%s → %i naming %s, nothing written', async (_label, fields, status, field) => {
    const id = await template(tenant);
    const before = await counts();
    const res = await call({ template_uuid: id, ...fields });
    expect(res.statusCode, res.body).toBe(status);
    expect(res.json()).toMatchObject({ code: 'invalid_request', metadata: { field } });
    expect(await counts()).toEqual(before);
  });

  it("another organization's template → 404 like a missing one, nothing written", async () => {
    const foreign = await template(other);
    const before = await counts();
    const res = await call({ template_uuid: foreign, name: 'Visitor ride', email_address: 'a@example.com' });
    const missing = await call({ template_uuid: '01900000-0000-7000-8000-0000000000ff', name: 'Visitor ride', email_address: 'a@example.com' });
    expect(res.statusCode).toBe(404);
    expect({ ...res.json(), request_id: 0 }).toEqual({ ...missing.json(), request_id: 0 });
    expect(await counts()).toEqual(before);
  });

  it('is idempotent with Idempotency-Key like every POST: one program, the same answer replayed', async () => {
    const id = await template(tenant);
    const before = await counts();
    const payload = { template_uuid: id, name: 'Visitor ride', email_address: 'once@example.com' };
    const first = await call(payload, { 'idempotency-key': 'individual-1' });
    const again = await call(payload, { 'idempotency-key': 'individual-1' });
    expect(first.statusCode, first.body).toBe(200);
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toBe(first.body);
    expect(await counts()).toEqual({ programs: before.programs + 1, guests: before.guests + 1 });
  });
});
