import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { bearer, createHarness, type Harness, type Tenant } from '../../helpers/harness.js';

let h: Harness;
let tenantA: Tenant;
let tenantB: Tenant;
let baseUrl: string;
beforeAll(async () => {
  h = await createHarness();
  tenantA = await h.seedTenant();
  tenantB = await h.seedTenant();
  baseUrl = await h.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await h.close();
});

const linksUrl = (org: string, program: string) => `/v1/organizations/${org}/voucher-programs/${program}/codes/export-links`;

async function mint(tenant: Tenant, programId: string): Promise<{ url: string; expires_at: number }> {
  const res = await h.app.inject({ method: 'POST', url: linksUrl(tenant.organizationId, programId), headers: bearer(tenant.token) });
  expect(res.statusCode).toBe(201);
  return res.json();
}

/** The link's path on the test server (PUBLIC_URL is https://vouchers.test). */
const local = (url: string) => `${baseUrl}${new URL(url).pathname}`;

describe('codes export links (docs/programs.md, Export links)', () => {
  it('downloads exactly the codes CSV once, without Authorization, as an attachment', async () => {
    const programId = await h.createProgram(tenantA, { number_of_codes: 7 });
    const link = await mint(tenantA, programId);
    expect(link.url).toMatch(/^https:\/\/vouchers\.test\/v1\/code-exports\/[A-Za-z0-9_-]{43}$/);
    expect(link.expires_at).toBe(h.clock.now() + 60_000);

    const listed = await fetch(`${baseUrl}${linksUrl(tenantA.organizationId, programId).replace('/export-links', '')}`, {
      headers: { ...bearer(tenantA.token), accept: 'text/csv' },
    });
    const expected = await listed.text();
    const res = await fetch(local(link.url));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="[A-Za-z0-9._-]+-codes\.csv"$/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const text = await res.text();
    expect(text).toBe(expected);
    const codes = await h.ctx.database.db.selectFrom('voucher_codes').select(['id', 'code_text']).where('program_id', '=', programId).orderBy('id').execute();
    const rows = text.split('\r\n').slice(1, -1).map((line) => line.split(','));
    expect(rows.map((r) => [r[0], r[1]])).toEqual(codes.map((c) => [c.id, c.code_text]));

    const again = await fetch(local(link.url));
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({ code: 'resource_not_found' });
  });

  it('two downloads racing for one link: exactly one gets the file', async () => {
    const programId = await h.createProgram(tenantA, { number_of_codes: 3 });
    const link = await mint(tenantA, programId);
    const answers = await Promise.all([fetch(local(link.url)), fetch(local(link.url)), fetch(local(link.url))]);
    await Promise.all(answers.map((a) => a.arrayBuffer()));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 404, 404]);
  });

  it('expires after 60 seconds on the clock', async () => {
    const programId = await h.createProgram(tenantA, { number_of_codes: 2 });
    const link = await mint(tenantA, programId);
    h.clock.advance(61_000);
    const res = await fetch(local(link.url));
    expect(res.status).toBe(404);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ code: 'resource_not_found' });
    // The same answer as a forged token: nothing tells expired from unknown.
    const forged = await fetch(`${baseUrl}/v1/code-exports/${'A'.repeat(43)}`);
    expect(forged.status).toBe(404);
    expect({ ...((await forged.json()) as Record<string, unknown>), request_id: '' }).toEqual({ ...body, request_id: '' });
  });

  it("another organization's token cannot mint a link for this program", async () => {
    const programId = await h.createProgram(tenantA, { number_of_codes: 2 });
    const res = await h.app.inject({ method: 'POST', url: linksUrl(tenantA.organizationId, programId), headers: bearer(tenantB.token) });
    expect(res.statusCode).toBe(403);
    const viaOwnOrg = await h.app.inject({ method: 'POST', url: linksUrl(tenantB.organizationId, programId), headers: bearer(tenantB.token) });
    expect(viaOwnOrg.statusCode).toBe(404);
    const anonymous = await h.app.inject({ method: 'POST', url: linksUrl(tenantA.organizationId, programId) });
    expect(anonymous.statusCode).toBe(401);
  });

  it('stores only the SHA-256 of the token', async () => {
    const programId = await h.createProgram(tenantA, { number_of_codes: 1 });
    const link = await mint(tenantA, programId);
    const token = new URL(link.url).pathname.split('/').pop()!;
    const rows = await h.ctx.database.db.selectFrom('code_export_links').selectAll().where('program_id', '=', programId).execute();
    expect(rows).toHaveLength(1);
    const { createHash } = await import('node:crypto');
    expect(rows[0]!.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('is not kept by Idempotency-Key: a retry mints a new link, and no copy of the token is stored', async () => {
    const programId = await h.createProgram(tenantA, { number_of_codes: 1 });
    const send = () =>
      h.app.inject({ method: 'POST', url: linksUrl(tenantA.organizationId, programId), headers: { ...bearer(tenantA.token), 'idempotency-key': `export-${programId}` } });
    const first = await send();
    const second = await send();
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(second.json().url).not.toBe(first.json().url);
    const kept = await h.ctx.database.db.selectFrom('idempotency_keys').select('id').where('idempotency_key', '=', `export-${programId}`).execute();
    expect(kept).toEqual([]);
  });

  it('the cleanup worker drops links an hour after they expired, and keeps live ones', async () => {
    const { cleanupExportLinks } = await import('../../../src/modules/code-exports/export-link.worker.js');
    const programId = await h.createProgram(tenantA, { number_of_codes: 1 });
    const now = h.clock.now();
    await h.ctx.database.db
      .insertInto('code_export_links')
      .values({ token_hash: `old-${programId}`, organization_id: tenantA.organizationId, program_id: programId, expires_at: now - 3_600_001, used_at: null, created_at: now - 3_660_001 })
      .execute();
    await mint(tenantA, programId);
    expect(await cleanupExportLinks(h.ctx)).toBeGreaterThanOrEqual(1);
    const left = await h.ctx.database.db.selectFrom('code_export_links').select('expires_at').where('program_id', '=', programId).execute();
    expect(left.map((r) => Number(r.expires_at))).toEqual([h.clock.now() + 60_000]);
  });

  it('the access log shows the route pattern, never the token', async () => {
    const programId = await h.createProgram(tenantA, { number_of_codes: 1 });
    const link = await mint(tenantA, programId);
    const token = new URL(link.url).pathname.split('/').pop()!;
    const lines: string[] = [];
    const stream = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const app = await buildApp(h.ctx, { logger: { level: 'info', stream } });
    try {
      const res = await app.inject({ method: 'GET', url: new URL(link.url).pathname });
      expect(res.statusCode).toBe(200);
      const incoming = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'incoming request');
      expect(incoming.req.url).toBe('/v1/code-exports/:token');
      expect(lines.join('')).not.toContain(token);
    } finally {
      await app.close();
    }
  });
});
