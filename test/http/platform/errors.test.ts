import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, type Harness, type Tenant } from '../../helpers/harness.js';

let h: Harness;
let tenant: Tenant;
let programId: string;
beforeAll(async () => {
  h = await createHarness({ env: { BODY_LIMIT_BYTES: '4096' } });
  tenant = await h.seedTenant();
  programId = await h.createProgram(tenant);
});
afterAll(async () => {
  await h.close();
});

const generate = (payload: string, headers: Record<string, string>) =>
  h.app.inject({
    method: 'POST',
    url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}/codes/generate`,
    headers: { ...bearer(tenant.token), ...headers },
    payload,
  });

describe('errors, language and limits (docs/compatibility.md)', () => {
  it('every response carries a request id header; error bodies echo it', async () => {
    const res = await generate('{"number_of_codes":0}', { 'content-type': 'application/json' });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.json().request_id).toBe(res.headers['x-request-id']);
    const ok = await h.app.inject({ method: 'GET', url: '/healthz' });
    expect(ok.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['en_US', 'en-US', 'Field number_of_codes must be between 1 and 30000.'],
    ['fr_FR', 'fr-FR', 'Le champ number_of_codes doit être compris entre 1 et 30000.'],
    ['de-DE', 'de-DE', 'Feld number_of_codes muss zwischen 1 und 30000 liegen.'],
    ['pt_BR', 'pt-BR', 'O campo number_of_codes deve estar entre 1 e 30000.'],
    ['es;q=0.9, xx', 'es-ES', 'El campo number_of_codes debe estar entre 1 y 30000.'],
    ['tlh', 'en-US', 'Field number_of_codes must be between 1 and 30000.'],
  ])('Accept-Language %s → localized message, Content-Language %s, code unchanged', async (accept, language, message) => {
    const res = await generate('{"number_of_codes":"30001"}', { 'content-type': 'application/json', 'accept-language': accept });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-language']).toBe(language);
    expect(res.json()).toMatchObject({ code: 'invalid_request', message, metadata: { field: 'number_of_codes' } });
  });

  it('F5: an oversized body → 413 with the contract body, nothing written', async () => {
    const res = await generate(JSON.stringify({ number_of_codes: 5, pad: 'x'.repeat(5000) }), { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('invalid_request');
  });

  it('a non-JSON content type → 400 invalid_request', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const res = await generate('number_of_codes=5', { 'content-type': type });
      expect(res.statusCode, type).toBe(400);
      expect(res.json().code).toBe('invalid_request');
    }
  });

  it('F5: deeply nested JSON and huge strings → 400, never 500', async () => {
    const deep = `{"number_of_codes":${'['.repeat(1500)}${']'.repeat(1500)}}`;
    const res = await generate(deep, { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(400);
    const huge = await h.app.inject({
      method: 'POST',
      url: `/v1/organizations/${tenant.organizationId}/voucher-programs`,
      headers: bearer(tenant.token),
      payload: { name: 'x'.repeat(3000) },
    });
    expect(huge.statusCode).toBe(400);
  });

  it('H13: a JSON body in another charset (UTF-16, Latin-1) → 415 with the contract body, nothing written; UTF-8 spellings are fine', async () => {
    const before = await h.ctx.database.db.selectFrom('voucher_codes').select(h.ctx.database.db.fn.countAll().as('n')).where('program_id', '=', programId).executeTakeFirstOrThrow();
    for (const charset of ['utf-16', 'UTF-16LE', 'iso-8859-1', '"utf-16"']) {
      const res = await generate(JSON.stringify({ number_of_codes: 2 }), { 'content-type': `application/json; charset=${charset}` });
      expect(res.statusCode, charset).toBe(415);
      expect(res.json()).toEqual({ code: 'invalid_request', message: 'The request body must be UTF-8 (charset=utf-8 or none).', request_id: res.headers['x-request-id'] });
    }
    const after = await h.ctx.database.db.selectFrom('voucher_codes').select(h.ctx.database.db.fn.countAll().as('n')).where('program_id', '=', programId).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    for (const charset of ['utf-8', 'UTF-8', 'utf8', '"utf-8"']) {
      const res = await generate(JSON.stringify({ number_of_codes: 1 }), { 'content-type': `application/json; charset=${charset}` });
      expect(res.statusCode, charset).toBe(200);
    }
    // Action endpoints that take an empty body apply the same rule.
    const cancel = await h.app.inject({
      method: 'POST',
      url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}/cancel`,
      headers: { ...bearer(tenant.token), 'content-type': 'application/json; charset=utf-16' },
      payload: '{}',
    });
    expect(cancel.statusCode).toBe(415);
  });

  it('H13: numbers in query strings are decimal digits: limit=1e3, 0x10, 1.0 or " 1" → 400 naming the field', async () => {
    const lists = [
      `/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}/codes`,
      `/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}/guests`,
    ];
    for (const url of lists) {
      for (const limit of ['1e3', '0x10', '1.0', ' 1', '+5']) {
        const res = await h.app.inject({ method: 'GET', url: `${url}?limit=${encodeURIComponent(limit)}`, headers: bearer(tenant.token) });
        expect(res.statusCode, `${url} limit=${limit}`).toBe(400);
        expect(res.json()).toMatchObject({ code: 'invalid_request', metadata: { field: 'limit' }, request_id: res.headers['x-request-id'] });
      }
      const ok = await h.app.inject({ method: 'GET', url: `${url}?limit=2`, headers: bearer(tenant.token) });
      expect(ok.statusCode, url).toBe(200);
    }
  });

  it('H13: a path parameter over 200 characters → 414 with the contract body and the request id; a bad percent-encoding → 400', async () => {
    const long = 'a'.repeat(201);
    const api = await h.app.inject({ method: 'GET', url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${long}`, headers: { ...bearer(tenant.token), 'accept-language': 'fr-FR' } });
    expect(api.statusCode).toBe(414);
    expect(api.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(api.json()).toEqual({ code: 'invalid_request', message: 'Un paramètre de chemin dépasse 200 caractères.', request_id: api.headers['x-request-id'] });
    const page = await h.app.inject({ method: 'GET', url: `/redeem/${long}` });
    expect(page.statusCode).toBe(414);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const bad = await h.app.inject({ method: 'GET', url: `/v1/organizations/${tenant.organizationId}/voucher-programs/%E0%A4%A`, headers: bearer(tenant.token) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ code: 'invalid_request', message: expect.any(String), request_id: bad.headers['x-request-id'] });
  });

  it('an empty JSON body → 400', async () => {
    const res = await generate('', { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('invalid_request');
  });

  it('unknown routes → 404 resource_not_found in the contract shape', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'resource_not_found', message: expect.any(String) });
  });

  it('an unexpected failure → 500 internal_server_error without stack or SQL', async () => {
    // Break the storage underneath a real request: the codes table disappears.
    const scratch = await createHarness();
    try {
      const t = await scratch.seedTenant();
      const p = await scratch.createProgram(t);
      // (PostgreSQL refuses to drop a table others reference without CASCADE.)
      const cascade = scratch.ctx.database.dialect === 'postgres' ? sql` cascade` : sql``;
      await sql`drop table voucher_codes${cascade}`.execute(scratch.ctx.database.db);
      const res = await scratch.app.inject({
        method: 'POST',
        url: `/v1/organizations/${t.organizationId}/voucher-programs/${p}/codes/generate`,
        headers: bearer(t.token),
        payload: { number_of_codes: 2 },
      });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ code: 'internal_server_error', message: 'We have experienced a problem.', request_id: expect.any(String) });
      expect(res.body).not.toMatch(/voucher_codes|at \w+ \(|sqlite|relation/i);
      const generation = await scratch.ctx.database.db.selectFrom('code_generations').selectAll().where('program_id', '=', p).orderBy('created_at', 'desc').execute();
      expect(generation.some((g) => g.status === 'FAILED')).toBe(true);
      expect(generation.some((g) => g.status === 'RUNNING')).toBe(false);
    } finally {
      await scratch.close();
    }
  });
});

describe('operations (README.md)', () => {
  it('GET /healthz and /readyz', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await h.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().status).toBe('ok');
  });

  it('GET /openapi.json documents the routes from their schemas; /docs serves a page', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    const generate = doc.paths['/v1/organizations/{organization_id}/voucher-programs/{voucher_program_id}/codes/generate'];
    expect(generate.post.summary).toBe('Generate Voucher Codes');
    expect(JSON.stringify(generate.post.requestBody)).toContain('number_of_codes');
    expect(doc.paths['/v1/organizations/{organization_id}/voucher-programs']).toBeDefined();
    const docs = await h.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/text\/html/);
  });
});

describe('GET /metrics (README.md)', () => {
  it('exposes Prometheus metrics labelled by route pattern, never by raw ids', async () => {
    await h.app.inject({ method: 'GET', url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}`, headers: bearer(tenant.token) });
    const res = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toContain('voucherd_http_requests_total{method="GET",route="/v1/organizations/:organization_id/voucher-programs/:voucher_program_id",status="200"}');
    expect(res.body).toContain('voucherd_http_request_duration_seconds_bucket');
    expect(res.body).toContain('voucherd_process_cpu_seconds_total');
    expect(res.body).not.toContain(programId);
    expect(res.body).not.toContain(tenant.organizationId);
  });
});
