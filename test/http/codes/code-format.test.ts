import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWellFormedCode } from '../../../src/lib/codes.js';
import { redeem } from '../../helpers/claims.js';
import { STRICT, bearer, createHarness, programBody, type Harness, type Tenant } from '../../helpers/harness.js';
import { createRider, createRiderApp } from '../../helpers/riders.js';

let h: Harness;
let tenant: Tenant;
beforeAll(async () => {
  h = await createHarness({ env: { CODE_MAX_GUESS_ODDS: '1e-9' } });
  tenant = await h.seedTenant();
});
afterAll(async () => {
  await h.close();
});

const create = (overrides: Record<string, unknown>) =>
  h.app.inject({
    method: 'POST',
    url: `/v1/organizations/${tenant.organizationId}/voucher-programs`,
    headers: bearer(tenant.token),
    payload: programBody(h.clock.now(), overrides),
  });

const codesOf = (programId: string) =>
  h.ctx.database.db.selectFrom('voucher_codes').select('code_text').where('program_id', '=', programId).execute();

describe('(X) per-program code_format (docs/programs.md)', () => {
  it('a prefix and a longer length shape every code of the program, including generated ones', async () => {
    const res = await create({ number_of_codes: 50, code_format: { prefix: 'RYDE', length: 16 } });
    expect(res.statusCode, res.body).toBe(200);
    const id = res.json().voucher_program_id;
    const generated = await h.app.inject({
      method: 'POST',
      url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${id}/codes/generate`,
      headers: bearer(tenant.token),
      payload: { number_of_codes: '25' },
    });
    expect(generated.statusCode).toBe(200);
    const codes = await codesOf(id);
    expect(codes).toHaveLength(75);
    for (const { code_text } of codes) {
      expect(code_text).toMatch(/^RYDE[23456789ABCDEFGHJKLMNPQRSTVWXYZ]{17}$/);
      expect(isWellFormedCode(code_text)).toBe(true);
    }
    const got = await h.app.inject({ method: 'GET', url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${id}`, headers: bearer(tenant.token) });
    expect(got.json().code_format).toEqual({ prefix: 'RYDE', length: 16 });
  });

  it('a rider claims a prefixed code typed in lowercase with dashes', async () => {
    const res = await create({ number_of_codes: 1, code_format: { prefix: 'ZZ' } });
    const code = (await codesOf(res.json().voucher_program_id))[0]!.code_text;
    const rider = await createRider(h, await createRiderApp(h.ctx));
    const typed = `${code.slice(0, 5).toLowerCase()}-${code.slice(5)}`;
    const claim = await redeem(h, rider.token, typed);
    expect(claim.statusCode, claim.body).toBe(200);
  });

  it('refuses a format too small for its codes and says the minimum safe length', async () => {
    // 30,000 codes need 31^L ≥ 3e13 at odds 1e-9: L ≥ 10.
    const res = await create({ number_of_codes: 30_000, code_format: { length: 9 } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'invalid_request', metadata: { field: 'code_format.length' } });
    expect(res.json().message).toContain('at least 10');
    expect(await h.ctx.database.db.selectFrom('voucher_programs').select('id').where('code_length', '=', 9).execute()).toHaveLength(0);
  });

  it('refuses a Generate that would push a short format past the bound, naming the minimum', async () => {
    const ok = await create({ number_of_codes: 1000, code_format: { length: 9 } });
    expect(ok.statusCode, ok.body).toBe(200);
    const id = ok.json().voucher_program_id;
    const res = await h.app.inject({
      method: 'POST',
      url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${id}/codes/generate`,
      headers: bearer(tenant.token),
      payload: { number_of_codes: 30_000 },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('at least 10');
    expect(await codesOf(id)).toHaveLength(1000);
  });

  it.each([
    [{ prefix: 'RIDE' }, 'code_format.prefix'],
    [{ prefix: 'ryde' }, 'code_format.prefix'],
    [{ prefix: 'ABCDEFGHJ' }, 'code_format.prefix'],
    [{ length: 7 }, 'code_format.length'],
    [{ prefix: 'ABCDEFGH', length: 22 }, 'code_format.length'],
    [{ length: '12.0' }, 'code_format.length'],
  ])('code_format %o → 400 naming %s', async (format, field) => {
    const res = await create({ number_of_codes: 1, code_format: format });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().metadata.field).toBe(field);
  });

  it('an unknown code_format field is ignored and named; with Prefer: handling=strict → 400 naming code_format.checksum', async () => {
    const strict = await h.app.inject({
      method: 'POST',
      url: `/v1/organizations/${tenant.organizationId}/voucher-programs`,
      headers: { ...bearer(tenant.token), ...STRICT },
      payload: programBody(h.clock.now(), { number_of_codes: 1, code_format: { checksum: false } }),
    });
    expect(strict.statusCode).toBe(400);
    expect(strict.json().metadata.field).toBe('code_format.checksum');
    const res = await create({ number_of_codes: 1, code_format: { checksum: false, length: 14 } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['voucherd-ignored-fields']).toBe('code_format.checksum');
    const stored = await h.ctx.database.db.selectFrom('voucher_programs').select('code_length').where('id', '=', res.json().voucher_program_id).executeTakeFirstOrThrow();
    expect(stored.code_length).toBe(14);
  });

  it('is immutable: PATCH code_format → 400 naming it', async () => {
    const id = (await create({ number_of_codes: 1 })).json().voucher_program_id;
    const res = await h.app.inject({
      method: 'PATCH',
      url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${id}`,
      headers: bearer(tenant.token),
      payload: { code_format: { length: 20 } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().metadata.field).toBe('code_format');
  });
});
