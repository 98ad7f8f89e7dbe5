import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { logNotifier, notifierFor, setNotifier, type GuestNotification } from '../../../src/modules/guests/notifier.js';
import { STRICT, bearer, createHarness, type Harness, type Tenant } from '../../helpers/harness.js';

let h: Harness;
let tenant: Tenant;
/** Outbound delivery is the one thing tests may fake: this notifier records what would be sent. */
const sent: GuestNotification[] = [];
beforeAll(async () => {
  h = await createHarness();
  setNotifier(h.ctx, { send: async (messages) => void sent.push(...messages) });
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  tenant = await h.seedTenant();
  sent.length = 0;
});

const programUrl = (programId: string, t = tenant) => `/v1/organizations/${t.organizationId}/voucher-programs/${programId}`;
const addGuests = (programId: string, payload: unknown, t = tenant) =>
  h.app.inject({ method: 'POST', url: `${programUrl(programId, t)}/add-guests`, headers: bearer(t.token), payload: payload as object });
const distribute = (programId: string, payload?: unknown) =>
  h.app.inject({ method: 'POST', url: `${programUrl(programId)}/codes/distribute`, headers: bearer(tenant.token), ...(payload !== undefined ? { payload: payload as object } : {}) });
const guests = (programId: string) =>
  h.ctx.database.db.selectFrom('program_guests').selectAll().where('program_id', '=', programId).orderBy('id').execute();
const events = (programId: string) =>
  h.ctx.database.db.selectFrom('outbox_events').selectAll().where('voucher_program_id', '=', programId).where('event_type', '=', 'voucher_program_code_distributed').execute();
const startGeneration = (programId: string) =>
  h.ctx.database.db
    .insertInto('code_generations')
    .values({ id: h.ctx.ids.next(), program_id: programId, organization_id: tenant.organizationId, requested: 10, status: 'RUNNING', lease_expires_at: h.clock.now() + 60_000, created_at: h.clock.now(), client_id: null })
    .execute();

describe('POST add-guests (docs/programs.md, Uber shape)', () => {
  it('binds one distinct code per guest (MULTI_CODE), notifies by default, records the distribution event', async () => {
    const programId = await h.createProgram(tenant, { number_of_codes: 3 });
    const res = await addGuests(programId, { guests: [{ email: 'Ana@Example.com' }, { phone: '+1 (555) 555-0100' }] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ guests: [{ email: 'Ana@Example.com' }, { phone: '+1 (555) 555-0100' }] });
    const rows = await guests(programId);
    expect(rows.map((g) => [g.email, g.phone, g.send_notifications, Number(g.distributed_at)])).toEqual([
      ['ana@example.com', null, 1, h.clock.now()],
      [null, '+15555550100', 1, h.clock.now()],
    ]);
    expect(new Set(rows.map((g) => g.code_id)).size).toBe(2);
    const codes = await h.ctx.database.db.selectFrom('voucher_codes').select(['id', 'code_text']).where('program_id', '=', programId).execute();
    const text = new Map(codes.map((c) => [c.id, c.code_text]));
    expect(sent).toEqual([
      { channel: 'email', to: 'ana@example.com', voucherProgramId: programId, programName: 'Airport rides', codeText: text.get(rows[0]!.code_id!), redemptionLink: `https://vouchers.test/redeem/${text.get(rows[0]!.code_id!)}` },
      { channel: 'sms', to: '+15555550100', voucherProgramId: programId, programName: 'Airport rides', codeText: text.get(rows[1]!.code_id!), redemptionLink: `https://vouchers.test/redeem/${text.get(rows[1]!.code_id!)}` },
    ]);
    const [event] = await events(programId);
    expect(JSON.parse(event!.payload)).toEqual({ number_of_codes_distributed: 2, code_ids: rows.map((g) => g.code_id) });
  });

  it('send_notifications: false adds guests without sending; the same guest twice is added once', async () => {
    const programId = await h.createProgram(tenant, { number_of_codes: 3 });
    const res = await addGuests(programId, { guests: [{ email: 'b@example.com' }, { email: 'B@example.com' }], send_notifications: false });
    expect(res.statusCode).toBe(200);
    const again = await addGuests(programId, { guests: [{ email: 'b@example.com', phone: '+4915112345678' }], send_notifications: false });
    expect(again.statusCode).toBe(200);
    const rows = await guests(programId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ email: 'b@example.com', send_notifications: 0, distributed_at: null });
    expect(sent).toEqual([]);
    expect(await events(programId)).toHaveLength(0);
  });

  it('SINGLE_CODE programs: guests share the one code', async () => {
    const res0 = await h.app.inject({
      method: 'POST',
      url: `/v1/organizations/${tenant.organizationId}/voucher-programs`,
      headers: bearer(tenant.token),
      payload: { name: 'Gala', currency_code: 'EUR', starts_at: h.clock.now(), ends_at: h.clock.now() + 86_400_000, code_scheme: 'SINGLE_CODE_MULTI_REDEEM', redemptions_per_code: 50, value_per_trip_max_amount: 20 },
    });
    const { voucher_program_id: programId, code_text } = res0.json();
    const res = await addGuests(programId, { guests: [{ email: 'x@example.org' }, { email: 'y@example.org' }] });
    expect(res.statusCode, res.body).toBe(200);
    expect((await guests(programId)).every((g) => g.code_id === null && g.distributed_at !== null)).toBe(true);
    expect(sent.map((m) => m.codeText)).toEqual([code_text, code_text]);
  });

  it('too few unassigned codes → 400 naming the shortfall, nothing written (all or none)', async () => {
    const programId = await h.createProgram(tenant, { number_of_codes: 2 });
    const codes = await h.ctx.database.db.selectFrom('voucher_codes').select('id').where('program_id', '=', programId).execute();
    await h.ctx.database.db.updateTable('voucher_codes').set({ canceled_at: 1 }).where('id', '=', codes[0]!.id).execute();
    const res = await addGuests(programId, { guests: [{ email: 'a@example.com' }, { email: 'b@example.com' }] });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'invalid_request', metadata: { field: 'guests' } });
    expect(res.json().message).toContain('1 unassigned codes for 2 new guests');
    expect(await guests(programId)).toHaveLength(0);
    expect(sent).toEqual([]);
  });

  it.each([
    [{ guests: [{}] }, 'guests[0]'],
    [{ guests: [{ email: 'not-an-email' }] }, 'guests[0].email'],
    [{ guests: [{ email: 'a@example.com' }, { email: 'a@b' }] }, 'guests[1].email'],
    [{ guests: [{ phone: '5555550100' }] }, 'guests[0].phone'],
    [{ guests: [{ phone: '+0123456789' }] }, 'guests[0].phone'],
    [{ guests: [] }, 'guests'],
    [{ guests: [{ email: 'a@example.com' }], send_notifications: 'yes' }, 'send_notifications'],
    [{}, 'guests'],
  ])('%j → 400 naming %s, nothing written', async (payload, field) => {
    const programId = await h.createProgram(tenant);
    const res = await addGuests(programId, payload);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ code: 'invalid_request', metadata: { field } });
    expect(await guests(programId)).toHaveLength(0);
  });

  it('an unknown field inside a guest is ignored and named; with Prefer: handling=strict → 400 naming it, nothing written', async () => {
    const programId = await h.createProgram(tenant);
    const payload = { guests: [{ email: 'a@example.com', name: 'A' }], send_notifications: false };
    const strict = await h.app.inject({ method: 'POST', url: `${programUrl(programId)}/add-guests`, headers: { ...bearer(tenant.token), ...STRICT }, payload });
    expect(strict.statusCode, strict.body).toBe(400);
    expect(strict.json()).toMatchObject({ code: 'invalid_request', metadata: { field: 'guests[0].name' } });
    expect(await guests(programId)).toHaveLength(0);
    const res = await addGuests(programId, payload);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['voucherd-ignored-fields']).toBe('guests[0].name');
    expect((await guests(programId)).map((g) => g.email)).toEqual(['a@example.com']);
  });

  it('canceled program → 400; generation running → 409 code_generation_in_progress; nothing written', async () => {
    const canceled = await h.createProgram(tenant);
    await h.app.inject({ method: 'POST', url: `${programUrl(canceled)}/cancel`, headers: bearer(tenant.token) });
    const r1 = await addGuests(canceled, { guests: [{ email: 'a@example.com' }] });
    expect(r1.statusCode).toBe(400);
    expect(r1.json().message).toBe('The voucher program is canceled.');
    const busy = await h.createProgram(tenant);
    await startGeneration(busy);
    const r2 = await addGuests(busy, { guests: [{ email: 'a@example.com' }] });
    expect(r2.statusCode).toBe(409);
    expect(r2.json().code).toBe('code_generation_in_progress');
    expect(r2.headers['retry-after']).toBe('2');
    expect(await guests(canceled)).toHaveLength(0);
    expect(await guests(busy)).toHaveLength(0);
  });
});

describe('GET guests and include_guests', () => {
  it('pages with limit + page_token and shows each guest with its code', async () => {
    const programId = await h.createProgram(tenant, { number_of_codes: 5 });
    await addGuests(programId, { guests: [1, 2, 3, 4, 5].map((i) => ({ email: `g${i}@example.com` })), send_notifications: false });
    const page = (query: string) => h.app.inject({ method: 'GET', url: `${programUrl(programId)}/guests${query}`, headers: bearer(tenant.token) });
    const p1 = await page('?limit=2');
    expect(p1.statusCode).toBe(200);
    expect(p1.json().guests.map((g: { email: string }) => g.email)).toEqual(['g1@example.com', 'g2@example.com']);
    expect(p1.json().next_token).toBe(p1.json().next_page_token);
    const p2 = await page(`?limit=2&page_token=${p1.json().next_token}`);
    const p3 = await page(`?limit=2&page_token=${p2.json().next_token}`);
    expect(p2.json().guests.map((g: { email: string }) => g.email)).toEqual(['g3@example.com', 'g4@example.com']);
    expect(p3.json().guests.map((g: { email: string }) => g.email)).toEqual(['g5@example.com']);
    expect(p3.json().next_token).toBeUndefined();
    const rows = await guests(programId);
    const code = await h.ctx.database.db.selectFrom('voucher_codes').select(['id', 'code_text']).where('id', '=', rows[0]!.code_id!).executeTakeFirstOrThrow();
    expect(p1.json().guests[0]).toEqual({
      email: 'g1@example.com',
      code: { code_id: code.id, code_text: code.code_text, redemption_link: `https://vouchers.test/redeem/${code.code_text}`, status: 'AVAILABLE', usage_count: 0 },
      created_at: h.clock.now(),
    });
    const withGuests = await h.app.inject({ method: 'GET', url: `${programUrl(programId)}?include_guests=true`, headers: bearer(tenant.token) });
    expect(withGuests.json().guests).toHaveLength(5);
    const without = await h.app.inject({ method: 'GET', url: programUrl(programId), headers: bearer(tenant.token) });
    expect(without.json().guests).toBeUndefined();
  });

  it('bad paging → 400; guests of another org are never visible', async () => {
    const programId = await h.createProgram(tenant);
    for (const q of ['?limit=0', '?limit=1001', '?page_token=%%%', '?page_token=bm90LWEtdXVpZA']) {
      const res = await h.app.inject({ method: 'GET', url: `${programUrl(programId)}/guests${q}`, headers: bearer(tenant.token) });
      expect(res.statusCode, q).toBe(400);
    }
    const other = await h.seedTenant();
    const foreign = await h.createProgram(other);
    await addGuests(foreign, { guests: [{ email: 'secret@other.example' }], send_notifications: false }, other);
    const res = await h.app.inject({ method: 'GET', url: `${programUrl(foreign)}/guests`, headers: bearer(tenant.token) });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('secret@other.example');
  });
});

describe('POST codes/distribute', () => {
  it('distributes every undistributed guest code (no body), once; then only listed codes', async () => {
    const programId = await h.createProgram(tenant, { number_of_codes: 4 });
    await addGuests(programId, { guests: [{ email: 'a@example.com' }, { email: 'b@example.com' }, { phone: '+33612345678' }], send_notifications: false });
    const rows = await guests(programId);
    const first = await distribute(programId, { codes: [rows[1]!.code_id] });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ number_of_codes_distributed: 1 });
    expect(sent.map((m) => m.to)).toEqual(['b@example.com']);
    h.clock.advance(1000);
    const rest = await distribute(programId);
    expect(rest.json()).toEqual({ number_of_codes_distributed: 2 });
    expect(sent.map((m) => m.to)).toEqual(['b@example.com', 'a@example.com', '+33612345678']);
    const after = await guests(programId);
    expect(after.map((g) => Number(g.distributed_at))).toEqual([h.clock.now(), h.clock.now() - 1000, h.clock.now()]);
    const again = await distribute(programId, {});
    expect(again.json()).toEqual({ number_of_codes_distributed: 0 });
    const ev = await events(programId);
    expect(ev.map((e) => JSON.parse(e.payload).number_of_codes_distributed)).toEqual([1, 2]);
  });

  it('skips canceled codes and codes held by nobody', async () => {
    const programId = await h.createProgram(tenant, { number_of_codes: 3 });
    await addGuests(programId, { guests: [{ email: 'a@example.com' }, { email: 'b@example.com' }], send_notifications: false });
    const rows = await guests(programId);
    await h.app.inject({ method: 'POST', url: `${programUrl(programId)}/codes/cancel`, headers: bearer(tenant.token), payload: { codes: [rows[0]!.code_id] } });
    const free = await h.ctx.database.db.selectFrom('voucher_codes').select('id').where('program_id', '=', programId).where('id', 'not in', rows.map((r) => r.code_id!)).executeTakeFirstOrThrow();
    const res = await distribute(programId, { codes: [rows[0]!.code_id, free.id, rows[1]!.code_id] });
    expect(res.json()).toEqual({ number_of_codes_distributed: 1 });
    expect(sent.map((m) => m.to)).toEqual(['b@example.com']);
    expect((await guests(programId))[0]!.distributed_at).toBeNull();
  });

  it('errors: bad body → 400, running generation → 409, foreign program → 404; nothing distributed', async () => {
    const programId = await h.createProgram(tenant);
    await addGuests(programId, { guests: [{ email: 'a@example.com' }], send_notifications: false });
    for (const payload of [{ codes: [] }, { codes: 'all' }]) {
      const res = await distribute(programId, payload);
      expect(res.statusCode).toBe(400);
    }
    const strict = await h.app.inject({ method: 'POST', url: `${programUrl(programId)}/codes/distribute`, headers: { ...bearer(tenant.token), ...STRICT }, payload: { guests: [] } });
    expect(strict.statusCode).toBe(400);
    expect(strict.json().metadata.field).toBe('guests');
    await startGeneration(programId);
    const busy = await distribute(programId);
    expect(busy.statusCode).toBe(409);
    expect(busy.json().code).toBe('code_generation_in_progress');
    const other = await h.seedTenant();
    const foreign = await h.createProgram(other);
    await addGuests(foreign, { guests: [{ email: 'z@example.com' }], send_notifications: false }, other);
    const res = await h.app.inject({ method: 'POST', url: `${programUrl(foreign)}/codes/distribute`, headers: bearer(tenant.token) });
    expect(res.statusCode).toBe(404);
    expect((await guests(programId)).every((g) => g.distributed_at === null)).toBe(true);
    expect((await guests(foreign)).every((g) => g.distributed_at === null)).toBe(true);
    expect(sent).toEqual([]);
  });
});

describe('the default notifier', () => {
  it('writes each message to the log, masked, and is what a context without a plugged notifier uses', async () => {
    const lines: { obj: unknown; msg: string }[] = [];
    const log = { info: (obj: unknown, msg: string) => void lines.push({ obj, msg }) } as never;
    const message: GuestNotification = { channel: 'email', to: 'a@example.com', voucherProgramId: 'p', programName: 'Gala', codeText: 'ABC', redemptionLink: 'https://vouchers.test/redeem/ABC' };
    await logNotifier(log).send([message]);
    expect(lines).toEqual([
      {
        obj: { notification: { channel: 'email', to: 'a…@example.com', voucher_program_id: 'p', code_text: 'AB…' } },
        msg: 'voucher code for "Gala" sent by email',
      },
    ]);
    const fresh = { ...h.ctx };
    await notifierFor(fresh, log).send([message]);
    expect(lines).toHaveLength(2);
  });
});

describe('concurrency', () => {
  it('concurrent add-guests bind disjoint codes; the same guest sent twice at once is added once; never a 500', async () => {
    const programId = await h.createProgram(tenant, { number_of_codes: 10 });
    const requests = Array.from({ length: 5 }, (_, i) =>
      addGuests(programId, { guests: [{ email: `c${i}a@example.com` }, { email: `c${i}b@example.com` }, { email: 'same@example.com' }], send_notifications: false }),
    );
    const results = await Promise.all(requests);
    // All or none per request (docs/programs.md): the first to commit binds 3 codes, each later one 2,
    // so four fit in 10 codes and the fifth is refused with the contract's too-few-codes answer.
    expect(results.map((r) => r.statusCode).sort(), results.map((r) => r.body).join('\n')).toEqual([200, 200, 200, 200, 400]);
    const refused = results.find((r) => r.statusCode === 400)!.json();
    expect(refused.code).toBe('invalid_request');
    expect(refused.metadata).toEqual({ field: 'guests' });
    expect(refused.message).toMatch(/^The voucher program has \d+ unassigned codes for [23] new guests; generate more codes first\.$/);
    const rows = await guests(programId);
    expect(rows).toHaveLength(9);
    expect(rows.filter((g) => g.email === 'same@example.com')).toHaveLength(1);
    const codes = rows.map((g) => g.code_id);
    expect(new Set(codes).size).toBe(codes.length);
    // 11 distinct guests for 10 codes: whatever order the requests commit in, at most 10 are bound.
    expect(rows.length).toBeLessThanOrEqual(10);
    expect(results.filter((r) => r.statusCode === 200).length).toBeGreaterThanOrEqual(4);
  });

  it('the same new guest added by 20 requests at once is stored once, every request answers 200', async () => {
    const programId = await h.createProgram(tenant, { number_of_codes: 20 });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => addGuests(programId, { guests: [{ email: 'race@example.com' }], send_notifications: false })),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
    expect(await guests(programId)).toHaveLength(1);
  });

  it('concurrent distributes message each guest exactly once', async () => {
    const programId = await h.createProgram(tenant, { number_of_codes: 6 });
    await addGuests(programId, { guests: [1, 2, 3, 4, 5, 6].map((i) => ({ email: `d${i}@example.com` })), send_notifications: false });
    const results = await Promise.all(Array.from({ length: 4 }, () => distribute(programId)));
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    expect(results.reduce((n, r) => n + r.json().number_of_codes_distributed, 0)).toBe(6);
    expect(sent.map((m) => m.to).sort()).toEqual([1, 2, 3, 4, 5, 6].map((i) => `d${i}@example.com`).sort());
    expect((await events(programId)).reduce((n, e) => n + JSON.parse(e.payload).number_of_codes_distributed, 0)).toBe(6);
  });
});
