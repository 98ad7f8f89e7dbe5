import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createContext, type AppContext } from '../../src/context.js';
import { bootstrap } from '../../src/modules/oauth/bootstrap.service.js';
import { createProgram } from '../../src/modules/codes/program-create.service.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { createRiderApp, createRiders, type Rider } from '../helpers/riders.js';
import { startServerProcess, type ServerProcess } from '../helpers/processes.js';
import { unitOfWork } from '../../src/db/unit-of-work.js';

// D1 across processes (docs/guarantees.md, docs/architecture.md Scale-out): two real `voucherd serve`
// processes on one PostgreSQL schema; the servers run on the real clock, so this file does too.
const BUDGETS = { CLAIM_FAILURES_PER_CLIENT: '100000000', CLAIM_FAILURES_PER_RIDER: '100000000', CLAIM_FAILURES_PER_PROGRAM: '100000000' };
const TRIALS = 5;

let testDb: TestDatabase;
let ctx: AppContext;
let servers: ServerProcess[] = [];
let riders: Rider[];
let organizationId: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = createContext(loadConfig({ DEMO_BOOTSTRAP: 'false' }), testDb.database);
  const tenant = await bootstrap(ctx, { orgName: 'Multiprocess', adminEmail: `mp-${process.pid}@example.com`, adminPassword: 'correct horse battery staple' });
  organizationId = tenant.organization_id;
  servers = await Promise.all([startServerProcess({ DATABASE_URL: testDb.url, ...BUDGETS }), startServerProcess({ DATABASE_URL: testDb.url, ...BUDGETS })]);
  riders = await createRiders({ ctx, url: servers[0]!.url }, await createRiderApp(ctx), 50);
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop('SIGTERM', 10_000)));
  await testDb?.drop();
});

async function claim(server: ServerProcess, rider: Rider, code: string): Promise<{ status: number; code?: string }> {
  const res = await fetch(`${server.url}/v1.2/me/vouchers/redeem`, {
    method: 'POST',
    headers: { authorization: `Bearer ${rider.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ code_text: code }),
  });
  const body = (await res.json()) as { code?: string };
  return { status: res.status, ...(body.code ? { code: body.code } : {}) };
}

describe('D1 with two voucherd processes on one PostgreSQL', () => {
  it(`50 concurrent claims of one single-redeem code split across both → exactly one success (${TRIALS} trials)`, async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      const now = Date.now();
      const created = await createProgram(ctx, {
        organizationId,
        clientId: null,
        body: { name: `MP ${trial}`, currency_code: 'USD', starts_at: now - 60_000, ends_at: now + 86_400_000, code_scheme: 'MULTI_CODE_SINGLE_REDEEM', number_of_codes: 1, value_per_trip_max_amount: 20 },
      }, unitOfWork(ctx.database));
      const programId = created.voucher_program_id;
      const code = await testDb.database.db.selectFrom('voucher_codes').select('code_text').where('program_id', '=', programId).executeTakeFirstOrThrow();
      const results = await Promise.all(riders.map((r, i) => claim(servers[i % 2]!, r, code.code_text)));
      // Even indexes went to the first process, odd ones to the second: both answered every claim.
      const ok = results.filter((r) => r.status === 200);
      const conflicts = results.filter((r) => r.status === 409 && r.code === 'code_already_redeemed');
      expect(ok, `trial ${trial}: ${JSON.stringify(results.filter((r) => r.status !== 409))}`).toHaveLength(1);
      expect(conflicts).toHaveLength(49);
      const vouchers = await testDb.database.db.selectFrom('vouchers').select('id').where('program_id', '=', programId).execute();
      expect(vouchers).toHaveLength(1);
      const row = await testDb.database.db.selectFrom('voucher_codes').select('redemption_count').where('program_id', '=', programId).executeTakeFirstOrThrow();
      expect(Number(row.redemption_count)).toBe(1);
    }
  });

  it('D2 across both processes: a code with redemptions_per_code = 5, 15 concurrent riders → exactly 5 successes', async () => {
    for (let trial = 0; trial < 3; trial++) {
      const now = Date.now();
      const created = await createProgram(ctx, {
        organizationId,
        clientId: null,
        body: { name: `MP2 ${trial}`, currency_code: 'USD', starts_at: now - 60_000, ends_at: now + 86_400_000, code_scheme: 'SINGLE_CODE_MULTI_REDEEM', redemptions_per_code: 5, value_per_trip_max_amount: 20 },
      }, unitOfWork(ctx.database));
      const results = await Promise.all(riders.slice(0, 15).map((r, i) => claim(servers[i % 2]!, r, created.code_text!)));
      expect(results.filter((r) => r.status === 200)).toHaveLength(5);
      expect(results.filter((r) => r.status === 400 && r.code === 'redeem_count_exceeded')).toHaveLength(10);
      const vouchers = await testDb.database.db.selectFrom('vouchers').select('user_id').where('program_id', '=', created.voucher_program_id).execute();
      expect(new Set(vouchers.map((v) => v.user_id)).size).toBe(5);
    }
  });
});
