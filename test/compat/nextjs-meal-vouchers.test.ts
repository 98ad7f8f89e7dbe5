import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, DAY, type Harness, type Tenant } from '../helpers/harness.js';
import { formToken, listen, send } from './uber-host.js';

/**
 * Source: a public Next.js meal-voucher app whose server route creates one Uber Eats program per
 * employee and hands the person the code of the create answer (found by code search for
 * `voucher-programs` with `EATS`). What it sends, as facts: a client_credentials form token
 * request; then a create with `voucher_type: "EATS"`, `code_scheme: "MULTI_CODE_SINGLE_REDEEM"`,
 * `number_of_codes: 1` and `creator_email` — an empty string when the employee has no address on
 * file. It reads `code_text` and `code_link` from the create answer and shows them to the person.
 */
let h: Harness;
let tenant: Tenant;
let base: string;
beforeAll(async () => {
  h = await createHarness();
  tenant = await h.seedTenant();
  base = await listen(h);
});
afterAll(async () => {
  await h.close();
});

async function createMealVoucher(token: string, creatorEmail: string) {
  const now = h.clock.now();
  return send(`${base}/v1/organizations/${tenant.organizationId}/voucher-programs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'Late shift dinner',
      currency_code: 'USD',
      starts_at: now,
      ends_at: now + DAY,
      code_scheme: 'MULTI_CODE_SINGLE_REDEEM',
      number_of_codes: 1,
      voucher_type: 'EATS',
      value_per_trip_max_amount: 18,
      creator_email: creatorEmail,
    }),
  });
}

describe('compat: Next.js meal-voucher app', () => {
  it('one-code program per person: the create answer carries the code to hand out, with or without creator_email', async () => {
    const token = await formToken(base, { grant_type: 'client_credentials', client_id: tenant.clientId, client_secret: tenant.clientSecret, scope: 'organizations.voucher_programs' });
    expect(token.status).toBe(200);
    for (const email of ['', 'manager@example.com']) {
      const res = await createMealVoucher(token.body.access_token, email);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const { voucher_program_id: id, code_text: codeText, code_link: codeLink } = res.body;
      expect(codeText).toEqual(expect.any(String));
      expect(codeText.length).toBeGreaterThan(0);
      expect(codeLink).toBe(`https://vouchers.test/redeem/${codeText}`);
      const stored = await h.ctx.database.db.selectFrom('voucher_codes').select('code_text').where('program_id', '=', id).execute();
      expect(stored.map((c) => c.code_text)).toEqual([codeText]);
      const program = await h.ctx.database.db.selectFrom('voucher_programs').select(['creator_email', 'voucher_type']).where('id', '=', id).executeTakeFirstOrThrow();
      expect(program).toEqual({ creator_email: email, voucher_type: 'EATS' });
    }
  });

  it('a malformed creator_email is refused by name and nothing is written', async () => {
    const token = (await formToken(base, { grant_type: 'client_credentials', client_id: tenant.clientId, client_secret: tenant.clientSecret, scope: 'organizations.voucher_programs' })).body.access_token;
    const before = await h.ctx.database.db.selectFrom('voucher_programs').select('id').execute();
    const res = await createMealVoucher(token, 'not an email');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalid_request', metadata: { field: 'creator_email' } });
    expect(await h.ctx.database.db.selectFrom('voucher_programs').select('id').execute()).toHaveLength(before.length);
  });
});
