import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUniqueViolation } from '../../../src/db/database.js';
import { isWellFormedCode } from '../../../src/lib/codes.js';
import { bearer, createHarness, DAY, type Harness, type Tenant } from '../../helpers/harness.js';
import { OPEN_ADMISSION } from '../../helpers/processes.js';

let h: Harness;
let tenant: Tenant;
beforeAll(async () => {
  // The admission gates (docs/limits.md, Concurrency) are opened wide: the concurrent calls of this
  // file must all reach the database, where the one-running-generation rule keeps them apart.
  h = await createHarness({ env: { ACCESS_TOKEN_TTL_SECONDS: String(30 * 86_400), ...OPEN_ADMISSION } });
  tenant = await h.seedTenant();
});
afterAll(async () => {
  await h.close();
});

const url = (programId: string, org = tenant.organizationId) =>
  `/v1/organizations/${org}/voucher-programs/${programId}/codes/generate`;

/** The seed's example request, byte for byte: the three headers and a quoted number. */
function seedRequest(programId: string, n: string) {
  return h.app.inject({
    method: 'POST',
    url: url(programId),
    headers: {
      authorization: `Bearer ${tenant.token}`,
      'accept-language': 'en_US',
      'content-type': 'application/json',
    },
    payload: `{"number_of_codes":"${n}"}`,
  });
}

async function codeRows(programId: string) {
  return h.ctx.database.db.selectFrom('voucher_codes').selectAll().where('program_id', '=', programId).execute();
}

async function programTotal(programId: string) {
  const row = await h.ctx.database.db.selectFrom('voucher_programs').select('total_number_of_codes').where('id', '=', programId).executeTakeFirstOrThrow();
  return Number(row.total_number_of_codes);
}

/**
 * Test-only triggers: whenever a generation row becomes active (inserted or updated to PENDING /
 * RUNNING) while another one of its program is active, the database logs the program. The
 * "never overlap" check reads this log instead of sampling, so no overlap can slip between samples.
 */
async function watchActiveGenerations(on: Harness = h): Promise<void> {
  const db = on.ctx.database.db;
  if (on.ctx.database.dialect === 'postgres') {
    await sql`create table if not exists test_generation_overlaps (program_id text not null)`.execute(db);
    await sql`create or replace function test_log_generation_overlap() returns trigger language plpgsql as $$
      begin
        if new.status in ('PENDING', 'RUNNING') and (select count(*) from code_generations where program_id = new.program_id and status in ('PENDING', 'RUNNING')) > 1 then
          insert into test_generation_overlaps (program_id) values (new.program_id);
        end if;
        return null;
      end $$`.execute(db);
    await sql`drop trigger if exists test_generation_overlap on code_generations`.execute(db);
    await sql`create trigger test_generation_overlap after insert or update on code_generations for each row execute function test_log_generation_overlap()`.execute(db);
    return;
  }
  await sql`create table if not exists test_generation_overlaps (program_id text not null)`.execute(db);
  for (const event of ['insert', 'update']) {
    await sql`drop trigger if exists ${sql.raw(`test_generation_overlap_${event}`)}`.execute(db);
    await sql`create trigger ${sql.raw(`test_generation_overlap_${event}`)} after ${sql.raw(event)} on code_generations
      when new.status in ('PENDING', 'RUNNING') and (select count(*) from code_generations where program_id = new.program_id and status in ('PENDING', 'RUNNING')) > 1
      begin insert into test_generation_overlaps (program_id) values (new.program_id); end`.execute(db);
  }
}

async function overlapsOf(programId: string, on: Harness = h): Promise<string[]> {
  const { rows } = await sql<{ program_id: string }>`select program_id from test_generation_overlaps where program_id = ${programId}`.execute(on.ctx.database.db);
  return rows.map((r) => r.program_id);
}

describe('★ Generate Voucher Codes (docs/programs.md)', () => {
  it('C1: the seed example request → 200, and exactly n new codes are listed right after', async () => {
    const programId = await h.createProgram(tenant, { number_of_codes: 5 });
    const res = await seedRequest(programId, '50');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-language']).toBe('en-US');
    const body = res.json();
    expect(body).toEqual({
      voucher_program_id: programId,
      generation_id: expect.any(String),
      status: 'COMPLETED',
      number_of_codes: 50,
      total_number_of_codes: 55,
    });
    const list = await h.app.inject({ method: 'GET', url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}/codes`, headers: bearer(tenant.token) });
    expect(list.statusCode).toBe(200);
    const listed = list.json();
    expect(listed.total_number_of_codes).toBe(55);
    expect(listed.codes).toHaveLength(55);
    expect(listed.codes.filter((c: { generation_id: string }) => c.generation_id === body.generation_id)).toHaveLength(50);
    const rows = await codeRows(programId);
    expect(rows).toHaveLength(55);
    expect(await programTotal(programId)).toBe(55);
    const generation = await h.ctx.database.db.selectFrom('code_generations').selectAll().where('id', '=', body.generation_id).executeTakeFirstOrThrow();
    expect(generation).toMatchObject({ status: 'COMPLETED', requested: 50, generated: 50, client_id: tenant.clientId });
    const events = await h.ctx.database.db.selectFrom('outbox_events').selectAll().where('voucher_program_id', '=', programId).orderBy('id').execute();
    expect(events.map((e) => e.event_type)).toEqual(['voucher_program_created', 'voucher_program_updated']);
    expect(JSON.parse(events[1]!.payload)).toMatchObject({ number_of_codes: 50, total_number_of_codes: 55 });
  });

  const INVALID: [string, string][] = [
    ['0', '{"number_of_codes":0}'],
    ['-1', '{"number_of_codes":-1}'],
    ['1.5', '{"number_of_codes":1.5}'],
    ['"1.5"', '{"number_of_codes":"1.5"}'],
    ['" 5"', '{"number_of_codes":" 5"}'],
    ['"5 "', '{"number_of_codes":"5 "}'],
    ['"1e3"', '{"number_of_codes":"1e3"}'],
    ['"0x32"', '{"number_of_codes":"0x32"}'],
    ['"050"', '{"number_of_codes":"050"}'],
    ['"+5"', '{"number_of_codes":"+5"}'],
    ['""', '{"number_of_codes":""}'],
    ['true', '{"number_of_codes":true}'],
    ['null', '{"number_of_codes":null}'],
    ['[]', '{"number_of_codes":[]}'],
    ['{}', '{"number_of_codes":{}}'],
    ['missing', '{}'],
    ['30001', '{"number_of_codes":30001}'],
    ['"30001"', '{"number_of_codes":"30001"}'],
    ['2^53', '{"number_of_codes":9007199254740992}'],
    ['"2^53"', '{"number_of_codes":"9007199254740992"}'],
    ['1e400', '{"number_of_codes":1e400}'],
    ['array body', '[{"number_of_codes":5}]'],
    ['string body', '"5"'],
    ['not JSON', '{"number_of_codes":5'],
    ['__proto__', '{"number_of_codes":5,"__proto__":{"x":1}}'],
  ];

  it.each(INVALID)('C2: number_of_codes %s → 400 invalid_request, nothing written', async (_label, payload) => {
    const programId = await h.createProgram(tenant, { number_of_codes: 1 });
    const res = await h.app.inject({
      method: 'POST',
      url: url(programId),
      headers: { ...bearer(tenant.token), 'content-type': 'application/json' },
      payload,
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().code).toBe('invalid_request');
    expect(res.json().message).toEqual(expect.any(String));
    expect(await codeRows(programId)).toHaveLength(1);
    expect(await programTotal(programId)).toBe(1);
    const generations = await h.ctx.database.db.selectFrom('code_generations').select('id').where('program_id', '=', programId).execute();
    expect(generations).toHaveLength(1);
  });

  it('C2: an extra field is ignored and named by default; with Prefer: handling=strict → 400, nothing written', async () => {
    const programId = await h.createProgram(tenant, { number_of_codes: 1 });
    const payload = '{"number_of_codes":5,"prefix":"X"}';
    const headers = { ...bearer(tenant.token), 'content-type': 'application/json' };
    const strict = await h.app.inject({ method: 'POST', url: url(programId), headers: { ...headers, prefer: 'handling=strict' }, payload });
    expect(strict.statusCode, strict.body).toBe(400);
    expect(strict.json()).toMatchObject({ code: 'invalid_request', metadata: { field: 'prefix' } });
    expect(strict.headers['preference-applied']).toBe('handling=strict');
    expect(await codeRows(programId)).toHaveLength(1);
    const res = await h.app.inject({ method: 'POST', url: url(programId), headers, payload });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['voucherd-ignored-fields']).toBe('prefix');
    expect(await codeRows(programId)).toHaveLength(6);
  });

  it('C2: 1 and 30000 → 200 (as numbers and as canonical strings)', async () => {
    const programId = await h.createProgram(tenant, { number_of_codes: 1 });
    for (const payload of ['{"number_of_codes":1}', '{"number_of_codes":"1"}', '{"number_of_codes":30000}']) {
      const res = await h.app.inject({ method: 'POST', url: url(programId), headers: { ...bearer(tenant.token), 'content-type': 'application/json' }, payload });
      expect(res.statusCode, res.body).toBe(200);
    }
    const rows = await codeRows(programId);
    expect(rows).toHaveLength(1 + 1 + 1 + 30_000);
    expect(await programTotal(programId)).toBe(rows.length);
    expect(new Set(rows.map((r) => r.code_text)).size).toBe(rows.length);
  });

  it('C3: SINGLE_CODE program → 400; unknown program → 404', async () => {
    const single = await h.createProgram(tenant, { code_scheme: 'SINGLE_CODE_MULTI_REDEEM', number_of_codes: undefined, redemptions_per_code: 10 });
    const res = await seedRequest(single, '5');
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('invalid_request');
    expect(res.json().message).toMatch(/MULTI_CODE_SINGLE_REDEEM/);
    expect(await codeRows(single)).toHaveLength(1);
    const missing = await seedRequest('01900000-0000-7000-8000-000000000000', '5');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('resource_not_found');
    const garbage = await seedRequest('not-a-uuid', '5');
    expect(garbage.statusCode).toBe(404);
  });

  it('C3: CANCELED and COMPLETE programs → 400, nothing written', async () => {
    const canceled = await h.createProgram(tenant, { number_of_codes: 2 });
    await h.ctx.database.db.updateTable('voucher_programs').set({ canceled_at: h.clock.now() }).where('id', '=', canceled).execute();
    const res = await seedRequest(canceled, '5');
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/canceled/i);
    expect(await codeRows(canceled)).toHaveLength(2);

    const now = h.clock.now();
    const ending = await h.createProgram(tenant, { number_of_codes: 2, starts_at: now, ends_at: now + DAY });
    h.clock.advance(DAY);
    try {
      const late = await seedRequest(ending, '5');
      expect(late.statusCode).toBe(400);
      expect(late.json().message).toMatch(/ended/i);
      expect(await codeRows(ending)).toHaveLength(2);
    } finally {
      h.clock.set(now);
    }
  });

  it('a generation past MAX_CODES_PER_PROGRAM → 400 naming the limit, nothing written', async () => {
    const small = await createHarness({ env: { MAX_CODES_PER_PROGRAM: '10', MAX_CODES_PER_REQUEST: '10' } });
    try {
      const t = await small.seedTenant();
      const programId = await small.createProgram(t, { number_of_codes: 8 });
      const res = await small.app.inject({ method: 'POST', url: `/v1/organizations/${t.organizationId}/voucher-programs/${programId}/codes/generate`, headers: bearer(t.token), payload: { number_of_codes: 3 } });
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toContain('10');
      const ok = await small.app.inject({ method: 'POST', url: `/v1/organizations/${t.organizationId}/voucher-programs/${programId}/codes/generate`, headers: bearer(t.token), payload: { number_of_codes: 2 } });
      expect(ok.statusCode).toBe(200);
      expect(ok.json().total_number_of_codes).toBe(10);
    } finally {
      await small.close();
    }
  });

  it('C4: concurrent generate calls never overlap: no instant with two active generations, each call a 200 or a 409, totals equal rows', async () => {
    const programId = await h.createProgram(tenant, { number_of_codes: 1 });
    await watchActiveGenerations();
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        h.app.inject({ method: 'POST', url: url(programId), headers: bearer(tenant.token), payload: { number_of_codes: 5000 } }),
      ),
    );
    const statuses = results.map((r) => r.statusCode);
    for (const r of results) {
      expect([200, 409], r.body).toContain(r.statusCode);
      if (r.statusCode === 409) {
        expect(r.json().code).toBe('code_generation_in_progress');
        expect(r.headers['retry-after']).toBeDefined();
      }
    }
    // The database saw every write: a second active generation of the program at any moment is logged.
    expect(await overlapsOf(programId)).toEqual([]);
    const ok = statuses.filter((s) => s === 200).length;
    expect(ok).toBeGreaterThanOrEqual(1);
    expect(await codeRows(programId)).toHaveLength(1 + ok * 5000);
    expect(await programTotal(programId)).toBe(1 + ok * 5000);
    const active = await h.ctx.database.db.selectFrom('code_generations').select('id').where('program_id', '=', programId).where('status', 'in', ['PENDING', 'RUNNING']).execute();
    expect(active).toHaveLength(0);
  });

  it('C4: parallel calls while a background generation holds the slot: all 409, never two active generations (both engines)', async () => {
    // In one process SQLite runs each request to its end before the next, so inline calls alone
    // cannot overlap there; a background job keeps its slot PENDING across requests, on both engines.
    const small = await createHarness({ env: { INLINE_GENERATION_LIMIT: '100', ...OPEN_ADMISSION } });
    try {
      const owner = await small.seedTenant();
      const programId = await small.createProgram(owner, { number_of_codes: 1 });
      await watchActiveGenerations(small);
      const generate = (n: number) =>
        small.app.inject({ method: 'POST', url: url(programId, owner.organizationId), headers: bearer(owner.token), payload: { number_of_codes: n } });
      const [background, ...inline] = await Promise.all([generate(500), ...Array.from({ length: 5 }, () => generate(50))]);
      expect(background!.statusCode, background!.body).toBe(202);
      const job = background!.json().generation_id as string;
      for (const r of inline) {
        expect(r.statusCode, r.body).toBe(409);
        expect(r.json().code).toBe('code_generation_in_progress');
        expect(r.json().metadata.generation_id).toBe(job);
      }
      expect(await overlapsOf(programId, small)).toEqual([]);
      const rows = await small.ctx.database.db.selectFrom('voucher_codes').select('id').where('program_id', '=', programId).execute();
      expect(rows).toHaveLength(1);
    } finally {
      await small.close();
    }
  });

  it('C4: while a generation is running the next one answers 409; the database refuses a second active row', async () => {
    const programId = await h.createProgram(tenant, { number_of_codes: 1 });
    const now = h.clock.now();
    const running = {
      id: h.ctx.ids.next(),
      program_id: programId,
      organization_id: tenant.organizationId,
      requested: 10,
      status: 'RUNNING' as const,
      lease_expires_at: now + 60_000,
      created_at: now,
      client_id: null,
    };
    await h.ctx.database.db.insertInto('code_generations').values(running).execute();
    const res = await seedRequest(programId, '5');
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('code_generation_in_progress');
    expect(await codeRows(programId)).toHaveLength(1);
    // The guard is a constraint, not process memory: a direct second insert fails in the database.
    const second = h.ctx.database.db.insertInto('code_generations').values({ ...running, id: h.ctx.ids.next(), status: 'PENDING' }).execute();
    await expect(second).rejects.toSatisfy(isUniqueViolation);

    // A generation whose lease ran out belonged to a dead process: it is released and the next call succeeds.
    h.clock.advance(61_000);
    try {
      const after = await seedRequest(programId, '5');
      expect(after.statusCode, after.body).toBe(200);
      const old = await h.ctx.database.db.selectFrom('code_generations').selectAll().where('id', '=', running.id).executeTakeFirstOrThrow();
      expect(old.status).toBe('FAILED');
      expect(await codeRows(programId)).toHaveLength(6);
    } finally {
      h.clock.set(now);
    }
  });

  it('C5: codes are unique service-wide, match the format and pass the check symbol', async () => {
    const a = await h.createProgram(tenant, { number_of_codes: 2000 });
    const other = await h.seedTenant();
    const b = await h.createProgram(other, { number_of_codes: 2000 });
    expect((await seedRequest(a, '3000')).statusCode).toBe(200);
    const { rows } = await sql<{ n: number; d: number }>`select count(*) as n, count(distinct code_text) as d from voucher_codes`.execute(h.ctx.database.db);
    expect(Number(rows[0]!.n)).toBe(Number(rows[0]!.d));
    for (const row of [...(await codeRows(a)), ...(await codeRows(b))]) {
      expect(row.code_text).toMatch(/^[23456789ABCDEFGHJKLMNPQRSTVWXYZ]{13}$/);
      expect(isWellFormedCode(row.code_text)).toBe(true);
    }
  });
});
