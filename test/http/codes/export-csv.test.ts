import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, type Harness, type Tenant } from '../../helpers/harness.js';

let h: Harness;
let tenant: Tenant;
let baseUrl: string;
beforeAll(async () => {
  h = await createHarness();
  tenant = await h.seedTenant();
  // A real port (0 = any free one), so the test sees the bytes as they are streamed.
  baseUrl = await h.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await h.close();
});

const CSV_HEADER = 'code_id,code_text,redemption_link,max_num_redemptions,status,created_at,canceled_at,generation_id';

describe('GET codes with Accept: text/csv (docs/programs.md, X)', () => {
  it('streams a header row then one line per code (chunked, no Content-Length), matching the rows', async () => {
    const programId = await h.createProgram(tenant, { number_of_codes: 4500 });
    const codes = await h.ctx.database.db.selectFrom('voucher_codes').selectAll().where('program_id', '=', programId).orderBy('id').execute();
    await h.ctx.database.db.updateTable('voucher_codes').set({ canceled_at: 123 }).where('id', '=', codes[7]!.id).execute();

    const res = await fetch(`${baseUrl}/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}/codes`, {
      headers: { ...bearer(tenant.token), accept: 'text/csv' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="voucher-codes-${programId}.csv"`);
    expect(res.headers.get('content-length')).toBeNull();
    expect(res.headers.get('transfer-encoding')).toBe('chunked');

    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let chunks = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks += 1;
      text += decoder.decode(value, { stream: true });
    }
    // The header and 4,500 rows arrive in several pieces (the listing reads 2,000 rows at a time).
    expect(chunks).toBeGreaterThan(1);
    const lines = text.split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines[0]).toBe(CSV_HEADER);
    expect(lines).toHaveLength(1 + 4500);
    const first = lines[1]!.split(',');
    expect(first).toEqual([
      codes[0]!.id,
      codes[0]!.code_text,
      `https://vouchers.test/redeem/${codes[0]!.code_text}`,
      '1',
      'AVAILABLE',
      String(codes[0]!.created_at),
      '',
      codes[0]!.generation_id,
    ]);
    expect(lines[8]!.split(',').slice(4, 7)).toEqual(['CANCELED', String(codes[7]!.created_at), '123']);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(codes.map((c) => c.id));
  });

  it('an empty program exports just the header; paging parameters are refused with CSV; another org → 404', async () => {
    const programId = await h.createProgram(tenant, { number_of_codes: 1 });
    await h.ctx.database.db.deleteFrom('voucher_codes').where('program_id', '=', programId).execute();
    const url = `${baseUrl}/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}/codes`;
    const empty = await fetch(url, { headers: { ...bearer(tenant.token), accept: 'text/csv' } });
    expect(await empty.text()).toBe(`${CSV_HEADER}\r\n`);
    const paged = await fetch(`${url}?limit=5`, { headers: { ...bearer(tenant.token), accept: 'text/csv' } });
    expect(paged.status).toBe(400);
    const other = await h.seedTenant();
    const foreign = await fetch(url.replace(tenant.organizationId, other.organizationId), { headers: { ...bearer(other.token), accept: 'text/csv' } });
    expect(foreign.status).toBe(404);
    expect(foreign.headers.get('content-type')).toMatch(/application\/json/);
  });
});
