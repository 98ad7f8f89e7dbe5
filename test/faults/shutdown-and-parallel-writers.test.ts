import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { loadConfig } from '../../src/config.js';
import { bootstrap } from '../../src/modules/oauth/bootstrap.service.js';
import { createTestDatabase, TEST_SECRETS_KEY, type TestDatabase } from '../helpers/database.js';
import { OPEN_ADMISSION, startServerProcess, type ServerProcess } from '../helpers/processes.js';

let testDb: TestDatabase;
let credentials: { org: string; id: string; secret: string };

beforeAll(async () => {
  testDb = await createTestDatabase();
  const r = await bootstrap(createContext(loadConfig({ SECRETS_KEY: TEST_SECRETS_KEY }), testDb.database), { orgName: 'Load', adminEmail: 'load@example.com', adminPassword: 'long enough pass' });
  credentials = { org: r.organization_id, id: r.client.client_id, secret: r.client.client_secret };
});
afterAll(async () => {
  await testDb.drop();
});

async function token(server: ServerProcess): Promise<string> {
  const res = await fetch(`${server.url}/oauth/v2/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${credentials.id}:${credentials.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function post(server: ServerProcess, bearer: string, path: string, body: unknown) {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

function programBody(name: string, codes: number) {
  const now = Date.now();
  return { name, currency_code: 'USD', starts_at: now, ends_at: now + 86_400_000, code_scheme: 'MULTI_CODE_SINGLE_REDEEM', number_of_codes: codes, value_per_trip_max_amount: 20 };
}

async function totalsEqualRows(): Promise<void> {
  const { rows } = await sql<{ total: number; rows: number }>`
    select (select coalesce(sum(total_number_of_codes), 0) from voucher_programs) as total, (select count(*) from voucher_codes) as rows`.execute(testDb.database.db);
  expect(Number(rows[0]!.rows)).toBe(Number(rows[0]!.total));
}

describe('F2: SIGTERM under load', () => {
  it('finishes in-flight requests, exits 0 and leaves nothing partial', async () => {
    // All six generations are in flight when SIGTERM arrives, none waiting at the admission gate.
    const server = await startServerProcess({ DATABASE_URL: testDb.url, ...OPEN_ADMISSION });
    const bearer = await token(server);
    const programs: string[] = [];
    for (let i = 0; i < 6; i++) programs.push((await post(server, bearer, `/v1/organizations/${credentials.org}/voucher-programs`, programBody(`p${i}`, 1))).body.voucher_program_id);
    const inflight = programs.map((p) => post(server, bearer, `/v1/organizations/${credentials.org}/voucher-programs/${p}/codes/generate`, { number_of_codes: 20_000 }));
    await new Promise((r) => setTimeout(r, 30));
    const exit = server.stop('SIGTERM');
    const results = await Promise.allSettled(inflight);
    expect(await exit).toBe(0);
    // Requests already received are answered (never a reset connection mid-request).
    const answered = results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<{ status: number }>).value.status);
    expect(answered.length).toBe(results.length);
    for (const status of answered) expect([200, 503]).toContain(status);
    expect(answered.filter((s) => s === 200).length).toBeGreaterThan(0);
    await totalsEqualRows();
    // New connections are refused once it is gone.
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});

describe('F3: parallel writers in two processes on one database', () => {
  it('never leaks SQLITE_BUSY or a 500: every request is a 200 (or a 409 on the same program)', async () => {
    // Every write reaches the database (the admission gates would answer some 429 first).
    const servers = await Promise.all([startServerProcess({ DATABASE_URL: testDb.url, ...OPEN_ADMISSION }), startServerProcess({ DATABASE_URL: testDb.url, ...OPEN_ADMISSION })]);
    try {
      const tokens = await Promise.all(servers.map(token));
      const work: Promise<{ status: number; body: Record<string, any> }>[] = [];
      for (let round = 0; round < 3; round++) {
        servers.forEach((server, i) => {
          work.push(post(server, tokens[i]!, `/v1/organizations/${credentials.org}/voucher-programs`, programBody(`par-${round}-${i}`, 5_000)));
          work.push(post(server, tokens[i]!, `/v1/organizations/${credentials.org}/voucher-programs`, programBody(`par2-${round}-${i}`, 2_000)));
        });
      }
      const created = await Promise.all(work);
      for (const r of created) expect(r.status, JSON.stringify(r.body)).toBe(200);
      const ids = created.map((r) => r.body.voucher_program_id as string);
      const generates = await Promise.all(
        ids.flatMap((id, k) => [servers[k % 2]!, servers[(k + 1) % 2]!].map((s, j) => post(s, tokens[(k + j) % 2]!, `/v1/organizations/${credentials.org}/voucher-programs/${id}/codes/generate`, { number_of_codes: 3_000 }))),
      );
      for (const r of generates) {
        expect([200, 409], JSON.stringify(r.body)).toContain(r.status);
        if (r.status === 409) expect(r.body.code).toBe('code_generation_in_progress');
      }
      expect(generates.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(ids.length);
      await totalsEqualRows();
      for (const s of servers) expect(s.output()).not.toMatch(/SQLITE_BUSY|database is locked/);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  });
});
