import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, type Harness, type Tenant } from '../../helpers/harness.js';

let h: Harness;
let tenant: Tenant;
let programId: string;
beforeAll(async () => {
  h = await createHarness();
  tenant = await h.seedTenant();
  programId = await h.createProgram(tenant, { number_of_codes: 11_000 });
  await h.ctx.database.db.updateTable('voucher_codes').set({ canceled_at: h.clock.now() }).where('program_id', '=', programId).where('id', '=', (await h.ctx.database.db.selectFrom('voucher_codes').select('id').where('program_id', '=', programId).orderBy('id').limit(1).executeTakeFirstOrThrow()).id).execute();
});
afterAll(async () => {
  await h.close();
});

const list = (query = '', headers: Record<string, string> = {}) =>
  h.app.inject({
    method: 'GET',
    url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}/codes${query}`,
    headers: { ...bearer(tenant.token), ...headers },
  });

describe('Get Voucher Codes (docs/programs.md)', () => {
  it('without paging parameters returns every code (streamed), in Uber shape', async () => {
    const res = await list();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json();
    expect(body.total_number_of_codes).toBe(11_000);
    expect(body.codes).toHaveLength(11_000);
    expect(body.next_page_token).toBeUndefined();
    const [first, second] = body.codes;
    expect(first).toEqual({
      code_id: expect.any(String),
      code_text: expect.stringMatching(/^[2-9A-Z]{13}$/),
      redemption_link: `https://vouchers.test/redeem/${first.code_text}`,
      max_num_redemptions: 1,
      canceled_at: h.clock.now(),
      status: 'CANCELED',
      created_at: h.clock.now(),
      generation_id: expect.any(String),
    });
    expect(second.status).toBe('AVAILABLE');
    expect(second.canceled_at).toBeUndefined();
    const ids = body.codes.map((c: { code_id: string }) => c.code_id);
    expect(new Set(ids).size).toBe(11_000);
    expect([...ids].sort()).toEqual(ids);
  });

  it('include_usage adds usage_count, usage_amount and currency_code', async () => {
    const body = (await list('?include_usage=true&limit=2')).json();
    expect(body.codes[0]).toMatchObject({ usage_count: 0, usage_amount: 0, currency_code: 'USD' });
  });

  it('limit + page_token walks every code exactly once (X)', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await list(`?limit=1000${token ? `&page_token=${token}` : ''}`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.total_number_of_codes).toBe(11_000);
      seen.push(...body.codes.map((c: { code_id: string }) => c.code_id));
      token = body.next_page_token;
      pages++;
    } while (token);
    expect(pages).toBe(11);
    expect(seen).toHaveLength(11_000);
    expect(new Set(seen).size).toBe(11_000);
  });

  it('Accept: text/csv streams the same list as CSV with a header row (X)', async () => {
    const res = await list('', { accept: 'text/csv' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe('code_id,code_text,redemption_link,max_num_redemptions,status,created_at,canceled_at,generation_id');
    expect(lines).toHaveLength(11_001);
    expect(lines[2]!.split(',')).toHaveLength(8);
  });

  it.each([
    ['?limit=0', 'limit'],
    ['?limit=-1', 'limit'],
    ['?limit=abc', 'limit'],
    ['?limit=10001', 'limit'],
    ['?limit=10&page_token=not-a-token', 'page_token'],
    ['?page_token=' + Buffer.from('01900000-0000-7000-8000-00000000000g').toString('base64url'), 'page_token'],
    ['?include_usage=maybe', 'include_usage'],
  ])('%s → 400 invalid_request', async (query, field) => {
    const res = await list(query);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().code).toBe('invalid_request');
    expect(res.json().metadata?.field).toBe(field);
  });

  it("a page token cannot reach another organization's codes", async () => {
    const other = await h.seedTenant();
    const foreign = await h.createProgram(other, { number_of_codes: 3 });
    const firstForeign = await h.ctx.database.db.selectFrom('voucher_codes').select('id').where('program_id', '=', foreign).orderBy('id').limit(1).executeTakeFirstOrThrow();
    const res = await list(`?limit=10&page_token=${Buffer.from(firstForeign.id).toString('base64url')}`);
    expect(res.statusCode).toBe(200);
    for (const code of res.json().codes) expect(code.code_id).not.toBe(firstForeign.id);
    const foreignIds = new Set((await h.ctx.database.db.selectFrom('voucher_codes').select('id').where('program_id', '=', foreign).execute()).map((r) => r.id));
    for (const code of res.json().codes) expect(foreignIds.has(code.code_id)).toBe(false);
  });
});
