import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { loadConfig } from '../../src/config.js';
import { bootstrap } from '../../src/modules/oauth/bootstrap.service.js';
import { createTestDatabase, TEST_SECRETS_KEY, type TestDatabase } from '../helpers/database.js';
import { startServerProcess, type ServerProcess } from '../helpers/processes.js';

/**
 * docs/programs.md across processes: two `voucherd serve` processes on one PostgreSQL never run
 * two generations of one program at once (the guard is a database constraint).
 */
let testDb: TestDatabase;
let servers: ServerProcess[];
let token: string;
let org: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  servers = await Promise.all([startServerProcess({ DATABASE_URL: testDb.url }), startServerProcess({ DATABASE_URL: testDb.url })]);
  const ctx = createContext(loadConfig({ SECRETS_KEY: TEST_SECRETS_KEY }), testDb.database);
  const result = await bootstrap(ctx, { orgName: 'Two processes', adminEmail: 'ops@two.test', adminPassword: 'long enough pass' });
  org = result.organization_id;
  const res = await fetch(`${servers[0]!.url}/oauth/v2/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${result.client.client_id}:${result.client.client_secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  token = ((await res.json()) as { access_token: string }).access_token;
});

afterAll(async () => {
  await Promise.all((servers ?? []).map((s) => s.stop()));
  await testDb.drop();
});

async function post(base: string, path: string, body: unknown) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('two server processes, one PostgreSQL', () => {
  it('concurrent 30,000-code generations of one program: never two at once, totals equal rows', async () => {
    const now = Date.now();
    const created = await post(servers[0]!.url, `/v1/organizations/${org}/voucher-programs`, {
      name: 'Race',
      currency_code: 'EUR',
      starts_at: now,
      ends_at: now + 86_400_000,
      code_scheme: 'MULTI_CODE_SINGLE_REDEEM',
      number_of_codes: 1,
      value_per_trip_max_amount: 20,
    });
    expect(created.status).toBe(200);
    const program = created.body.voucher_program_id as string;
    let conflicts = 0;
    let successes = 0;
    for (let round = 0; round < 4; round++) {
      const results = await Promise.all(
        servers.flatMap((s) => [0, 1].map(() => post(s.url, `/v1/organizations/${org}/voucher-programs/${program}/codes/generate`, { number_of_codes: 30_000 }))),
      );
      for (const r of results) {
        expect([200, 409]).toContain(r.status);
        if (r.status === 409) {
          expect(r.body.code).toBe('code_generation_in_progress');
          conflicts++;
        } else successes++;
      }
    }
    expect(successes).toBeGreaterThanOrEqual(4);
    // Overlapping calls from two processes must have met the guard at least once.
    expect(conflicts).toBeGreaterThan(0);
    const db = testDb.database.db;
    const { rows } = await sql<{ n: number; d: number }>`select count(*) as n, count(distinct code_text) as d from voucher_codes where program_id = ${program}`.execute(db);
    expect(Number(rows[0]!.n)).toBe(1 + successes * 30_000);
    expect(Number(rows[0]!.d)).toBe(Number(rows[0]!.n));
    const total = await db.selectFrom('voucher_programs').select('total_number_of_codes').where('id', '=', program).executeTakeFirstOrThrow();
    expect(Number(total.total_number_of_codes)).toBe(Number(rows[0]!.n));
    // Completed generations never overlap in time.
    const generations = await db
      .selectFrom('code_generations')
      .select(['created_at', 'finished_at', 'status'])
      .where('program_id', '=', program)
      .where('status', '=', 'COMPLETED')
      .where('requested', '=', 30_000)
      .orderBy('created_at')
      .execute();
    expect(generations).toHaveLength(successes);
    for (let i = 1; i < generations.length; i++) {
      expect(generations[i]!.created_at).toBeGreaterThanOrEqual(generations[i - 1]!.finished_at!);
    }
  });
});
