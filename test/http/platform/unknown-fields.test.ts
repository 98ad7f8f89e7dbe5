import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { bearer, createHarness, programBody, type Harness, type Tenant } from '../../helpers/harness.js';

/** The unknown-field rule seen from outside: default, per-request strict, service-wide reject. */
let h: Harness;
let tenant: Tenant;
let strictService: Harness;
let strictTenant: Tenant;
beforeAll(async () => {
  h = await createHarness();
  tenant = await h.seedTenant();
  strictService = await createHarness({ env: { UNKNOWN_FIELDS: 'reject' } });
  strictTenant = await strictService.seedTenant();
});
afterAll(async () => {
  await h.close();
  await strictService.close();
});

const programs = (t: Tenant) => `/v1/organizations/${t.organizationId}/voucher-programs`;

describe('unknown fields on the API', () => {
  it('query parameters follow the rule: ignored and named by default, 400 when strict', async () => {
    const id = await h.createProgram(tenant);
    const ok = await h.app.inject({ method: 'GET', url: `${programs(tenant)}/${id}?include_guests=true&fields=all`, headers: bearer(tenant.token) });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['voucherd-ignored-fields']).toBe('fields');
    expect(ok.json().guests).toEqual([]);
    const strict = await h.app.inject({ method: 'GET', url: `${programs(tenant)}/${id}?fields=all`, headers: { ...bearer(tenant.token), prefer: 'handling=strict' } });
    expect(strict.statusCode).toBe(400);
    expect(strict.json()).toMatchObject({ code: 'invalid_request', metadata: { field: 'fields' } });
    expect(strict.headers['preference-applied']).toBe('handling=strict');
  });

  it('a request without unknown fields carries no Voucherd-Ignored-Fields header; strict requests say the preference was applied', async () => {
    const res = await h.app.inject({ method: 'POST', url: programs(tenant), headers: { ...bearer(tenant.token), prefer: 'handling=strict' }, payload: programBody(h.clock.now()) });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['voucherd-ignored-fields']).toBeUndefined();
    expect(res.headers['preference-applied']).toBe('handling=strict');
  });

  it('UNKNOWN_FIELDS=reject refuses them service-wide with the same 400 and Preference-Applied, and writes nothing', async () => {
    const before = await strictService.ctx.database.db.selectFrom('voucher_programs').select('id').execute();
    const res = await strictService.app.inject({
      method: 'POST',
      url: programs(strictTenant),
      headers: bearer(strictTenant.token),
      payload: programBody(strictService.clock.now(), { status: 'ACTIVE' }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'invalid_request', metadata: { field: 'status' } });
    expect(res.headers['preference-applied']).toBe('handling=strict');
    expect(await strictService.ctx.database.db.selectFrom('voucher_programs').select('id').execute()).toHaveLength(before.length);
    const known = await strictService.app.inject({ method: 'POST', url: programs(strictTenant), headers: bearer(strictTenant.token), payload: programBody(strictService.clock.now()) });
    expect(known.statusCode).toBe(200);
  });

  it('each ignored field is also named in a debug log line, never with its value', async () => {
    const lines: string[] = [];
    const stream = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const app = await buildApp(h.ctx, { logger: { level: 'debug', stream } });
    try {
      const res = await app.inject({ method: 'POST', url: programs(tenant), headers: bearer(tenant.token), payload: programBody(h.clock.now(), { secret_note: 'do-not-log-me' }) });
      expect(res.statusCode, res.body).toBe(200);
      const entry = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'unknown fields ignored');
      expect(entry).toMatchObject({ level: 20, ignored_fields: ['secret_note'] });
      expect(lines.join('')).not.toContain('do-not-log-me');
    } finally {
      await app.close();
    }
  });
});
