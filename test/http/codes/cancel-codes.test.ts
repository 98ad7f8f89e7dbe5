import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { STRICT, bearer, createHarness, type Harness, type Tenant } from '../../helpers/harness.js';

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

const MISSING = '01900000-0000-7000-8000-00000000dead';
const url = (programId: string, t = tenant) => `/v1/organizations/${t.organizationId}/voucher-programs/${programId}/codes/cancel`;
const cancelCodes = (programId: string, payload: unknown) =>
  h.app.inject({ method: 'POST', url: url(programId), headers: bearer(tenant.token), payload: payload as object });
const codes = (programId: string) =>
  h.ctx.database.db.selectFrom('voucher_codes').selectAll().where('program_id', '=', programId).orderBy('id').execute();

describe('POST codes/cancel (docs/programs.md)', () => {
  it('cancels the listed codes in one call and reports per-code failures with Uber spelling', async () => {
    const programId = await h.createProgram(tenant, { number_of_codes: 6 });
    const [a, b, c, d, e] = await codes(programId);
    // d is already canceled, e already redeemed (single-redeem, claimed once).
    await h.ctx.database.db.updateTable('voucher_codes').set({ canceled_at: 1 }).where('id', '=', d!.id).execute();
    await h.ctx.database.db.updateTable('voucher_codes').set({ redemption_count: 1 }).where('id', '=', e!.id).execute();
    const other = await h.seedTenant();
    const foreignCode = (await codes(await h.createProgram(other)))[0]!;

    h.clock.advance(1000);
    const res = await cancelCodes(programId, { codes: [a!.id, b!.id, d!.id, e!.id, MISSING, foreignCode.id, a!.id, 'not-a-uuid'] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      cancelCodeFailures: [
        { code_uuid: d!.id, reason: 'already_canceled' },
        { code_uuid: e!.id, reason: 'already_redeemed' },
        { code_uuid: MISSING, reason: 'not_found' },
        { code_uuid: foreignCode.id, reason: 'not_found' },
        { code_uuid: 'not-a-uuid', reason: 'not_found' },
      ],
    });
    const after = new Map((await codes(programId)).map((row) => [row.id, row]));
    expect(Number(after.get(a!.id)!.canceled_at)).toBe(h.clock.now());
    expect(Number(after.get(b!.id)!.canceled_at)).toBe(h.clock.now());
    expect(after.get(c!.id)!.canceled_at).toBeNull();
    expect(Number(after.get(d!.id)!.canceled_at)).toBe(1);
    expect(after.get(e!.id)!.canceled_at).toBeNull();
    const foreignAfter = await h.ctx.database.db.selectFrom('voucher_codes').select('canceled_at').where('id', '=', foreignCode.id).executeTakeFirstOrThrow();
    expect(foreignAfter.canceled_at).toBeNull();
    // The listing shows them CANCELED with canceled_at.
    const list = await h.app.inject({ method: 'GET', url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}/codes?limit=10`, headers: bearer(tenant.token) });
    const canceled = list.json().codes.filter((x: { status: string }) => x.status === 'CANCELED');
    expect(canceled.map((x: { code_id: string }) => x.code_id).sort()).toEqual([a!.id, b!.id, d!.id].sort());
    const event = await h.ctx.database.db.selectFrom('outbox_events').selectAll().where('voucher_program_id', '=', programId).where('event_type', '=', 'voucher_program_updated').execute();
    expect(event.map((x) => JSON.parse(x.payload))).toEqual([{ number_of_codes_canceled: 2 }]);
  });

  it('is repeatable: canceling again reports already_canceled and changes nothing', async () => {
    const programId = await h.createProgram(tenant);
    const [a] = await codes(programId);
    await cancelCodes(programId, { codes: [a!.id] });
    const before = await codes(programId);
    const res = await cancelCodes(programId, { codes: [a!.id] });
    expect(res.json()).toEqual({ cancelCodeFailures: [{ code_uuid: a!.id, reason: 'already_canceled' }] });
    expect(await codes(programId)).toEqual(before);
  });

  it('takes 10,000 ids in one call; 10,001 → 400', async () => {
    const programId = await h.createProgram(tenant, { number_of_codes: 3 });
    const real = (await codes(programId)).map((x) => x.id);
    const fakes = Array.from({ length: 10_000 - real.length }, (_, i) => `01900000-0000-7000-8000-${String(i).padStart(12, '0')}`);
    const res = await cancelCodes(programId, { codes: [...real, ...fakes] });
    expect(res.statusCode).toBe(200);
    expect(res.json().cancelCodeFailures).toHaveLength(fakes.length);
    expect((await codes(programId)).every((x) => x.canceled_at !== null)).toBe(true);
    const tooMany = await cancelCodes(programId, { codes: [...fakes, ...real, MISSING] });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().metadata.field).toBe('codes');
  });

  it.each([[{}], [{ codes: [] }], [{ codes: 'abc' }], [{ codes: [1] }]])('%j → 400, nothing changes', async (payload) => {
    const programId = await h.createProgram(tenant);
    const res = await cancelCodes(programId, payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('invalid_request');
    expect((await codes(programId)).every((x) => x.canceled_at === null)).toBe(true);
  });

  it('an unknown field is ignored and named; with Prefer: handling=strict → 400 naming it, nothing changes', async () => {
    const programId = await h.createProgram(tenant);
    const [a] = await codes(programId);
    const strict = await h.app.inject({ method: 'POST', url: url(programId), headers: { ...bearer(tenant.token), ...STRICT }, payload: { codes: [a!.id], reason: 'y' } });
    expect(strict.statusCode).toBe(400);
    expect(strict.json().metadata.field).toBe('reason');
    expect((await codes(programId)).every((x) => x.canceled_at === null)).toBe(true);
    const res = await cancelCodes(programId, { codes: [a!.id], reason: 'y' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['voucherd-ignored-fields']).toBe('reason');
    expect((await codes(programId)).filter((x) => x.canceled_at !== null).map((x) => x.id)).toEqual([a!.id]);
  });

  it('409 code_generation_in_progress while a generation runs; nothing canceled', async () => {
    const programId = await h.createProgram(tenant);
    const [a] = await codes(programId);
    await h.ctx.database.db
      .insertInto('code_generations')
      .values({ id: h.ctx.ids.next(), program_id: programId, organization_id: tenant.organizationId, requested: 10, status: 'RUNNING', lease_expires_at: h.clock.now() + 60_000, created_at: h.clock.now(), client_id: null })
      .execute();
    const res = await cancelCodes(programId, { codes: [a!.id] });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('code_generation_in_progress');
    expect((await codes(programId))[0]!.canceled_at).toBeNull();
  });

  it("org A cannot cancel codes through org B's program (404) nor B's codes through its own (not_found)", async () => {
    const other = await h.seedTenant();
    const foreignProgram = await h.createProgram(other);
    const foreign = await codes(foreignProgram);
    const res = await cancelCodes(foreignProgram, { codes: foreign.map((x) => x.id) });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('resource_not_found');
    expect((await codes(foreignProgram)).every((x) => x.canceled_at === null)).toBe(true);
  });
});
