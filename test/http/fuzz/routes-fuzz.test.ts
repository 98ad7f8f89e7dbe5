import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_KINDS } from '../../../src/lib/errors.js';
import { createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { createRiderApp, createRider, createTripReporter } from '../../helpers/riders.js';
import { listRoutes, type RouteInfo } from '../../helpers/routes.js';

/**
 * docs/guarantees.md and the "bad input → 4xx, never 500" rule, for EVERY route (read from the app, so
 * new routes are fuzzed automatically): hostile bodies from each route's schema (wrong types, huge
 * and negative numbers, deep JSON, 1 MB strings, bad UTF-8), odd headers, forged page tokens and
 * hostile path parameters. Most requests carry valid credentials so they reach validation.
 */
let h: Harness;
let tenant: Tenant;
let riderToken: string;
let reporterToken: string;
let programId: string;
let codeText: string;
let routes: RouteInfo[];

const UUID = '0190b6a0-0000-7000-8000-000000000000';

beforeAll(async () => {
  h = await createHarness({ env: { MAX_CODES_PER_REQUEST: '50' } });
  tenant = await h.seedTenant('Fuzz');
  programId = await h.createProgram(tenant, { number_of_codes: 3 });
  const code = await h.ctx.database.db.selectFrom('voucher_codes').select('code_text').where('program_id', '=', programId).executeTakeFirstOrThrow();
  codeText = code.code_text;
  riderToken = (await createRider(h, await createRiderApp(h.ctx))).token;
  reporterToken = (await createTripReporter(h, tenant.organizationId)).token;
  routes = listRoutes(h.app);
});
afterAll(async () => {
  await h?.close();
});

function realParam(name: string): string {
  if (name === 'organization_id') return tenant.organizationId;
  if (name === 'voucher_program_id') return programId;
  if (name === 'code_text') return codeText;
  return UUID;
}

function path(route: RouteInfo, override: Record<string, string> = {}): string {
  return route.url.replace(/:(\w+)/g, (_, p: string) => override[p] ?? encodeURIComponent(realParam(p)));
}

/** Whether `url`, once its dot segments are removed, names a different route of the same method. */
function landsOnOtherRoute(route: RouteInfo, url: string): boolean {
  const resolved = new URL(url, 'http://fuzz.invalid').pathname;
  if (resolved === url.split('?')[0]) return false;
  const pattern = (r: RouteInfo) => new RegExp(`^${r.url.replace(/:(\w+)/g, '[^/]+')}$`);
  return routes.some((r) => r !== route && r.method === route.method && pattern(r).test(resolved));
}

function auth(route: RouteInfo): Record<string, string> {
  if (route.url.startsWith('/oauth/v2/token') || route.url.startsWith('/oauth/v2/revoke') || route.url.startsWith('/oauth/v2/introspect')) {
    return { authorization: `Basic ${Buffer.from(`${tenant.clientId}:${tenant.clientSecret}`).toString('base64')}` };
  }
  if (route.url.startsWith('/v1.2/me')) return { authorization: `Bearer ${riderToken}` };
  // Trips are recorded by a trip reporter only: with it the fuzz reaches the body checks.
  if (route.url.startsWith('/v1/vouchers/')) return { authorization: `Bearer ${reporterToken}` };
  return { authorization: `Bearer ${tenant.token}` };
}

const OAUTH_JSON = /^\/oauth\/v2\/(token|revoke|introspect)$/;
const HTML_PAGES = /^\/(oauth\/v2\/(authorize|logout)|business\/|redeem\/|authorize$|revoke$)/;

const API_CODES = new Set<string>(Object.values(ERROR_KINDS).map((k) => k.code));
const OAUTH_CODES = new Set(['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope', 'unsupported_token_type', 'rate_limited', 'temporarily_unavailable']);

/**
 * Never a 5xx; a 4xx carries the contract's whole error body for that family of routes and the
 * request id: the API's `{code, message, request_id[, metadata]}` with a code from the closed list
 * and `request_id` = `X-Request-Id`, RFC 6749's `{error[, error_description]}` for the OAuth
 * endpoints, an HTML page for the pages.
 */
function checkResponse(route: RouteInfo, res: LightMyRequestResponse, label: string, mustReject: boolean): void {
  const where = `${route.method} ${route.url} — ${label}: ${res.statusCode} ${res.body.slice(0, 300)}`;
  expect(res.statusCode, where).toBeLessThan(500);
  if (mustReject) expect(res.statusCode, where).toBeGreaterThanOrEqual(400);
  if (res.statusCode < 400) return;
  const requestId = res.headers['x-request-id'];
  expect(requestId, where).toMatch(/^[0-9a-f-]{36}$/);
  const type = String(res.headers['content-type'] ?? '');
  if (HTML_PAGES.test(route.url) && type.startsWith('text/html')) return;
  expect(type, where).toMatch(/^application\/json/);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  if (OAUTH_JSON.test(route.url)) {
    expect(OAUTH_CODES.has(String(body.error)), where).toBe(true);
    expect(Object.keys(body).every((k) => k === 'error' || k === 'error_description'), where).toBe(true);
    if ('error_description' in body) expect(typeof body.error_description, where).toBe('string');
  } else {
    expect(API_CODES.has(String(body.code)), where).toBe(true);
    expect(typeof body.message === 'string' && body.message.length > 0, where).toBe(true);
    expect(body.request_id, where).toBe(requestId);
    expect(Object.keys(body).every((k) => ['code', 'message', 'request_id', 'metadata'].includes(k)), where).toBe(true);
    if ('metadata' in body) expect(typeof body.metadata === 'object' && body.metadata !== null, where).toBe(true);
  }
}

async function send(route: RouteInfo, opts: { url?: string; headers?: Record<string, string | string[]>; payload?: string | Buffer; query?: string }) {
  const url = (opts.url ?? path(route)) + (opts.query ? `?${opts.query}` : '');
  return h.app.inject({ method: route.method as 'GET', url, headers: { ...auth(route), ...opts.headers }, ...(opts.payload !== undefined ? { payload: opts.payload } : {}) });
}

const deepArray = (n: number) => '['.repeat(n) + ']'.repeat(n);
const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
const HOSTILE: unknown[] = [
  null, true, -1, 0, 1.5, -0.5, 1e308, -1e308, 2 ** 63, Number.MAX_SAFE_INTEGER + 2, '', ' ', 'x'.repeat(20_000), '\u0000', '\ud800', '../../etc/passwd',
  '<script>alert(1)</script>', '9'.repeat(400), '-9'.repeat(50), 'NaN', '1e400', '0x10', [], [1, 'a'], {}, { a: { b: [] } }, JSON.parse(deepObject(60)),
];

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** True when the schema declares a type the value cannot have: the request must be refused. */
function wrongType(schema: { type?: string | string[] } | undefined, v: unknown): boolean {
  if (!schema?.type) return false;
  const allowed = Array.isArray(schema.type) ? schema.type : [schema.type];
  const t = jsonType(v);
  return !(allowed.includes(t) || (t === 'integer' && allowed.includes('number')));
}

const isBodyMethod = (r: RouteInfo) => r.method !== 'GET' && r.method !== 'DELETE';

describe('fuzz: every route answers hostile input with a 4xx contract error, never a 5xx', () => {
  it('covers the whole API surface (routes read from the app)', () => {
    // Sanity: the list is read from the app, not hard-coded; it must include every family.
    const urls = routes.map((r) => r.url);
    for (const u of ['/oauth/v2/token', '/v1.2/me/vouchers/redeem', '/v1/organizations/:organization_id/voucher-programs', '/v1/webhook-endpoints', '/redeem/:code_text']) expect(urls).toContain(u);
    expect(routes.length).toBeGreaterThan(30);
  });

  it('hostile body fields, from each route schema (wrong types must be refused)', async () => {
    for (const route of routes.filter((r) => isBodyMethod(r) && r.bodySchema?.properties)) {
      for (const [prop, schema] of Object.entries(route.bodySchema!.properties!)) {
        for (const value of HOSTILE) {
          const res = await send(route, { headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ [prop]: value }) });
          checkResponse(route, res, `${prop}=${JSON.stringify(value).slice(0, 40)}`, wrongType(schema, value));
        }
      }
    }
  });

  it('random JSON bodies (fast-check) on every body route', async () => {
    for (const route of routes.filter(isBodyMethod)) {
      const keys = Object.keys(route.bodySchema?.properties ?? {});
      const value = keys.length ? fc.oneof(fc.jsonValue(), fc.dictionary(fc.constantFrom(...keys), fc.jsonValue(), { maxKeys: 6 })) : fc.jsonValue();
      await fc.assert(
        fc.asyncProperty(value, async (body) => {
          const res = await send(route, { headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
          checkResponse(route, res, `body ${JSON.stringify(body).slice(0, 80)}`, false);
        }),
        { numRuns: 15 },
      );
    }
  });

  it('malformed payloads: broken JSON, bad UTF-8, deep nesting, 1 MB strings, oversized bodies, wrong content types', async () => {
    const big = 'a'.repeat(h.ctx.config.bodyLimitBytes + 10);
    const cases: { label: string; headers: Record<string, string | string[]>; payload: string | Buffer; expect?: number[] }[] = [
      { label: 'truncated JSON', headers: { 'content-type': 'application/json' }, payload: '{"name":' },
      { label: 'bad UTF-8', headers: { 'content-type': 'application/json' }, payload: Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]) },
      { label: 'bad UTF-8 form', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: Buffer.from([0x61, 0x3d, 0xff, 0xfe, 0x25, 0x45, 0x30]) },
      { label: 'deep array', headers: { 'content-type': 'application/json' }, payload: deepArray(50_000) },
      { label: 'deep object', headers: { 'content-type': 'application/json' }, payload: deepObject(20_000) },
      { label: '1 MB string', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'x'.repeat(1_000_000) }) },
      { label: 'over BODY_LIMIT', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ name: big }), expect: [413] },
      { label: 'over BODY_LIMIT form', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `a=${big}`, expect: [413, 400, 415] }, // JSON-only routes may refuse the type first
      { label: 'text/plain', headers: { 'content-type': 'text/plain' }, payload: 'hello' },
      { label: 'duplicate content-type', headers: { 'content-type': ['application/json', 'text/plain'] }, payload: '{}' },
      { label: 'content-type list', headers: { 'content-type': 'application/json, text/html' }, payload: '{}' },
      { label: 'odd charset', headers: { 'content-type': 'application/json; charset=utf-7' }, payload: '{}' },
      { label: 'multipart junk', headers: { 'content-type': 'multipart/form-data; boundary=x' }, payload: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n' },
      { label: 'empty JSON', headers: { 'content-type': 'application/json' }, payload: '' },
      { label: 'JSON null', headers: { 'content-type': 'application/json' }, payload: 'null' },
      { label: 'prototype pollution', headers: { 'content-type': 'application/json' }, payload: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}' },
    ];
    for (const route of routes.filter(isBodyMethod)) {
      for (const c of cases) {
        const res = await send(route, { headers: c.headers, payload: c.payload });
        checkResponse(route, res, c.label, false);
        if (c.expect) expect(c.expect, `${route.method} ${route.url} ${c.label}: ${res.statusCode} ${res.body.slice(0, 200)}`).toContain(res.statusCode);
      }
    }
    expect(Object.prototype).not.toHaveProperty('admin');
  });

  it('odd headers: huge, non-ASCII and malformed Authorization, Idempotency-Key, Accept-Language', async () => {
    const headerCases: Record<string, string>[] = [
      { authorization: `Bearer ${'a'.repeat(16_000)}` },
      { authorization: 'Bearer é€'.replace('€', 'ÿ') },
      { authorization: 'Bearer' },
      { authorization: 'Bearer a b c' },
      { authorization: 'Basic !!!!' },
      { authorization: `Basic ${Buffer.from('no-colon').toString('base64')}` },
      { authorization: `Basic ${Buffer.from(':').toString('base64')}` },
      { authorization: `Basic ${Buffer.from('%zz:%zz').toString('base64')}` },
      { authorization: 'Digest username="x"' },
      { 'idempotency-key': 'k'.repeat(10_000) },
      { 'idempotency-key': 'ÿé' },
      { 'idempotency-key': '' },
      { 'accept-language': 'x'.repeat(5_000) },
      { 'accept-language': ';;;q=abc,*;q=-1' },
      { 'x-forwarded-for': 'not an ip, ::::' },
      { host: '' },
      { cookie: 'a'.repeat(8_000) },
    ];
    for (const route of routes) {
      for (const headers of headerCases) {
        const res = await send(route, { headers: { 'content-type': 'application/json', ...headers }, ...(isBodyMethod(route) ? { payload: '{}' } : {}) });
        checkResponse(route, res, JSON.stringify(headers).slice(0, 60), false);
      }
    }
  });

  it('hostile path parameters: not UUIDs, "..", very long, bad percent-encoding, unicode', async () => {
    const values = ['not-a-uuid', '..', '%2e%2e', '..%2f..%2fetc', 'a'.repeat(190), 'a'.repeat(600), '%00', '%E0%A4%A', '%FF', encodeURIComponent('é😀'), UUID.toUpperCase(), '00000000-0000-0000-0000-000000000000', '-1', '1e400', '%20'];
    for (const route of routes.filter((r) => r.params.length > 0)) {
      for (const param of route.params) {
        for (const v of values) {
          const res = await send(route, { url: path(route, { [param]: v }), headers: { 'content-type': 'application/json' }, ...(isBodyMethod(route) ? { payload: '{}' } : {}) });
          // Only the redemption page accepts anything as a code (it answers an HTML page). A literal
          // ".." is removed with its segment before routing (RFC 3986 §5.2.4), so it may land on
          // another real route (…/organizations/../webhook-endpoints is /v1/webhook-endpoints);
          // that route then answers for itself, still never with a 5xx.
          const url = path(route, { [param]: v });
          const elsewhere = landsOnOtherRoute(route, url);
          checkResponse(route, res, `${param}=${v.slice(0, 30)}`, route.url !== '/redeem/:code_text' && !elsewhere);
        }
      }
    }
  });

  it('hostile query strings and forged page tokens', async () => {
    const forged = [
      'abc', '!!!', '', 'a'.repeat(10_000), Buffer.from('{"id":"../../x"}').toString('base64url'), Buffer.from('{"id":1e400,"k":null}').toString('base64url'),
      Buffer.from(JSON.stringify({ after: UUID, program: UUID })).toString('base64url'), Buffer.from([0xff, 0xfe, 0x00]).toString('base64url'), '%FF%FE', 'eyJ',
    ];
    const numbers = ['-1', '0', '1e400', '99999999999999999999', '1.5', 'abc', '', '%00', '0x10', ' 1'];
    for (const route of routes) {
      const params = route.query.length ? route.query : ['limit', 'page_token'];
      for (const q of params) {
        for (const v of [...numbers, ...forged]) {
          const res = await send(route, { query: `${q}=${encodeURIComponent(v)}`, ...(isBodyMethod(route) ? { headers: { 'content-type': 'application/json' }, payload: '{}' } : {}) });
          checkResponse(route, res, `?${q}=${v.slice(0, 30)}`, false);
        }
        const dup = await send(route, { query: `${q}=1&${q}=2&${q}[a]=3`, ...(isBodyMethod(route) ? { headers: { 'content-type': 'application/json' }, payload: '{}' } : {}) });
        checkResponse(route, dup, `duplicate ${q}`, false);
      }
    }
    // A forged page token on a list route is refused (not silently read as page one).
    const list = routes.find((r) => r.url.endsWith('/codes') && r.method === 'GET')!;
    for (const token of forged.filter((t) => t !== '')) {
      const res = await send(list, { query: `page_token=${encodeURIComponent(token)}` });
      checkResponse(list, res, `page_token=${token.slice(0, 30)}`, true);
    }
  });
});
