import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { codeStatus } from '../../../src/modules/codes/code.view.js';

// Get Voucher Codes' filters (X, docs/programs.md, Listing codes): every answer is compared with
// what the database holds.
let h: Harness;
let tenant: Tenant;
let programId: string;
let firstGeneration: string;
let secondGeneration: string;
beforeAll(async () => {
  h = await createHarness();
  tenant = await h.seedTenant();
  programId = await h.createProgram(tenant, { number_of_codes: 40 });
  const generate = await h.app.inject({
    method: 'POST',
    url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}/codes/generate`,
    headers: bearer(tenant.token),
    payload: { number_of_codes: 25 },
  });
  expect(generate.statusCode, generate.body).toBe(200);
  secondGeneration = generate.json().generation_id;
  const rows = await dbCodes();
  firstGeneration = rows[0]!.generation_id!;
  // Every 3rd code canceled, every 4th (not canceled) redeemed: all three statuses in both generations.
  const canceled = rows.filter((_, i) => i % 3 === 0).map((r) => r.id);
  const redeemed = rows.filter((_, i) => i % 3 !== 0 && i % 4 === 0).map((r) => r.id);
  await h.ctx.database.db.updateTable('voucher_codes').set({ canceled_at: h.clock.now() }).where('id', 'in', canceled).execute();
  await h.ctx.database.db.updateTable('voucher_codes').set({ redemption_count: 1 }).where('id', 'in', redeemed).execute();
});
afterAll(async () => {
  await h.close();
});

const dbCodes = () =>
  h.ctx.database.db
    .selectFrom('voucher_codes')
    .select(['id', 'code_text', 'generation_id', 'canceled_at', 'redemption_count', 'max_num_redemptions'])
    .where('program_id', '=', programId)
    .orderBy('id')
    .execute();

const list = (query: string, headers: Record<string, string> = {}) =>
  h.app.inject({
    method: 'GET',
    url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}/codes?${query}`,
    headers: { ...bearer(tenant.token), ...headers },
  });

/** Every code id of a filtered list, walked page by page with `limit`. */
async function walk(filter: string, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const res = await list(`${filter}&limit=${limit}${token ? `&page_token=${token}` : ''}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    ids.push(...body.codes.map((c: { code_id: string }) => c.code_id));
    token = body.next_page_token;
    pages++;
  } while (token);
  return { ids, pages };
}

describe('Get Voucher Codes filters (X)', () => {
  it.each(['AVAILABLE', 'REDEEMED', 'CANCELED'] as const)('status=%s returns exactly the codes of that status, streamed, paged and as CSV', async (status) => {
    const expected = (await dbCodes()).filter((r) => codeStatus(r) === status).map((r) => r.id);
    expect(expected.length).toBeGreaterThan(5);

    const streamed = await list(`status=${status.toLowerCase()}`);
    expect(streamed.statusCode, streamed.body).toBe(200);
    const body = streamed.json();
    expect(body.codes.map((c: { code_id: string }) => c.code_id)).toEqual(expected);
    expect(new Set(body.codes.map((c: { status: string }) => c.status))).toEqual(new Set([status]));
    expect(body.total_number_of_codes).toBe(65);

    const paged = await walk(`status=${status}`, 4);
    expect(paged.ids).toEqual(expected);
    expect(paged.pages).toBe(Math.ceil(expected.length / 4));

    const csv = await list(`status=${status}`, { accept: 'text/csv' });
    expect(csv.statusCode).toBe(200);
    expect(csv.body.trimEnd().split('\r\n').slice(1).map((line) => line.split(',')[0])).toEqual(expected);
  });

  it('generation_id returns that generation, and combines with status', async () => {
    const rows = await dbCodes();
    for (const generation of [firstGeneration, secondGeneration]) {
      const expected = rows.filter((r) => r.generation_id === generation).map((r) => r.id);
      expect((await walk(`generation_id=${generation.toUpperCase()}`, 7)).ids).toEqual(expected);
      const both = rows.filter((r) => r.generation_id === generation && codeStatus(r) === 'CANCELED').map((r) => r.id);
      expect(both.length).toBeGreaterThan(0);
      expect((await walk(`generation_id=${generation}&status=Canceled`, 3)).ids).toEqual(both);
    }
    expect(rows.filter((r) => r.generation_id === firstGeneration)).toHaveLength(40);
  });

  it('code finds one code by its text, as redemption reads it (letter case, dashes, spaces)', async () => {
    const rows = await dbCodes();
    const target = rows[5]!;
    const typed = `${target.code_text.slice(0, 4).toLowerCase()}-${target.code_text.slice(4, 8)} ${target.code_text.slice(8)}`;
    const res = await list(`code=${encodeURIComponent(typed)}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().codes.map((c: { code_id: string }) => c.code_id)).toEqual([target.id]);
    // With a status it does not have: nothing.
    const other = codeStatus(target) === 'AVAILABLE' ? 'CANCELED' : 'AVAILABLE';
    expect((await list(`code=${target.code_text}&status=${other}&limit=10`)).json().codes).toEqual([]);

    // Another organization's code is not in this program's list.
    const stranger = await h.seedTenant();
    const foreignProgram = await h.createProgram(stranger);
    const foreign = await h.ctx.database.db.selectFrom('voucher_codes').select('code_text').where('program_id', '=', foreignProgram).executeTakeFirstOrThrow();
    const miss = await list(`code=${foreign.code_text}&limit=10`);
    expect(miss.statusCode).toBe(200);
    expect(miss.json().codes).toEqual([]);
  });

  it('a page token only continues the list with the filters that issued it (400 naming page_token)', async () => {
    const first = (await list('status=AVAILABLE&limit=2')).json();
    expect(first.next_page_token).toEqual(expect.any(String));
    for (const query of [
      `status=CANCELED&limit=2&page_token=${first.next_page_token}`,
      `limit=2&page_token=${first.next_page_token}`,
      `status=AVAILABLE&generation_id=${firstGeneration}&limit=2&page_token=${first.next_page_token}`,
    ]) {
      const res = await list(query);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().metadata?.field).toBe('page_token');
    }
    // The same filter in another letter case is the same list.
    expect((await list(`status=available&limit=2&page_token=${first.next_page_token}`)).statusCode).toBe(200);
    const unfiltered = (await list('limit=2')).json();
    const res = await list(`status=AVAILABLE&limit=2&page_token=${unfiltered.next_page_token}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().metadata?.field).toBe('page_token');
  });

  it.each([
    ['status=USED', 'status'],
    ['status=', 'status'],
    ['generation_id=not-a-generation', 'generation_id'],
    ['code=ABC', 'code'],
    ['code=1111111111111', 'code'],
    [`code=${'2'.repeat(31)}`, 'code'],
  ])('%s → 400 naming %s', async (query, field) => {
    for (const paging of ['', '&limit=5']) {
      const res = await list(`${query}${paging}`);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().metadata?.field).toBe(field);
    }
  });
});
