import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createContext, type AppContext } from '../../src/context.js';
import { bootstrap } from '../../src/modules/oauth/bootstrap.service.js';
import { createProgram } from '../../src/modules/codes/program-create.service.js';
import { createTestDatabase, TEST_SECRETS_KEY, type TestDatabase } from '../helpers/database.js';
import { claimViolations } from '../helpers/invariants.js';
import { startServerProcess, type ServerProcess } from '../helpers/processes.js';
import { createRiderApp, createRiders, type Rider } from '../helpers/riders.js';
import { unitOfWork } from '../../src/db/unit-of-work.js';

/**
 * docs/guarantees.md (claims) + D1/D2 under crashes: SIGKILL a real `voucherd serve` at a random instant
 * while it answers many concurrent claims, restart it, then check in the database that nothing was
 * claimed twice, every counter equals its rows, every acknowledged (200) claim survived, the outbox
 * holds exactly one claimed event per voucher and SQLite's integrity check passes. FAULT_TRIALS
 * sets the number of trials (default 20).
 */
const TRIALS = Number(process.env.FAULT_TRIALS ?? 20);
const RIDERS = 24;
// Wrong-code budgets would refuse the flood of conflicts; this file tests crashes, not guessing.
const ENV = { CLAIM_FAILURES_PER_CLIENT: '100000000', CLAIM_FAILURES_PER_RIDER: '100000000', CLAIM_FAILURES_PER_PROGRAM: '100000000' };

let testDb: TestDatabase;
let ctx: AppContext;
let organizationId: string;
let riders: Rider[];

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = createContext(loadConfig({ SECRETS_KEY: TEST_SECRETS_KEY, DEMO_BOOTSTRAP: 'false' }), testDb.database);
  const tenant = await bootstrap(ctx, { orgName: 'Claim crash', adminEmail: `claim-crash-${process.pid}@example.com`, adminPassword: 'correct horse battery staple' });
  organizationId = tenant.organization_id;
  // The riders sign in through the real pages of a process of their own, stopped before the trials.
  const signIn = await startServerProcess({ DATABASE_URL: testDb.url, ...ENV });
  try {
    riders = await createRiders({ ctx, url: signIn.url }, await createRiderApp(ctx), RIDERS);
  } finally {
    await signIn.stop();
  }
}, 120_000);

afterAll(async () => {
  await testDb?.drop();
});

interface Ack {
  rider: Rider;
  voucherId: string;
}

async function claim(server: ServerProcess, rider: Rider, code: string): Promise<{ status: number | 'killed'; voucherId?: string; code?: string }> {
  try {
    const res = await fetch(`${server.url}/v1.2/me/vouchers/redeem`, {
      method: 'POST',
      headers: { authorization: `Bearer ${rider.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code_text: code }),
    });
    const body = (await res.json()) as { voucher_id?: string; code?: string };
    return { status: res.status, ...(body.voucher_id ? { voucherId: body.voucher_id } : {}), ...(body.code ? { code: body.code } : {}) };
  } catch {
    return { status: 'killed' };
  }
}

async function newPrograms(trial: number): Promise<{ multi: string[]; single: string; singleMax: number; ids: string[] }> {
  const now = Date.now();
  const base = { currency_code: 'USD', starts_at: now - 60_000, ends_at: now + 86_400_000, value_per_trip_max_amount: 20 };
  const multi = await createProgram(ctx, { organizationId, clientId: null, body: { ...base, name: `Multi ${trial}`, code_scheme: 'MULTI_CODE_SINGLE_REDEEM', number_of_codes: 6 } }, unitOfWork(ctx.database));
  const singleMax = 1 + (trial % 7);
  const single = await createProgram(ctx, {
    organizationId,
    clientId: null,
    body: { ...base, name: `Single ${trial}`, code_scheme: 'SINGLE_CODE_MULTI_REDEEM', redemptions_per_code: singleMax },
  }, unitOfWork(ctx.database));
  const codes = await testDb.database.db.selectFrom('voucher_codes').select('code_text').where('program_id', '=', multi.voucher_program_id).execute();
  return { multi: codes.map((c) => c.code_text), single: single.code_text!, singleMax, ids: [multi.voucher_program_id, single.voucher_program_id] };
}

describe(`C9: SIGKILL during claims (${TRIALS} trials)`, () => {
  it('never claims twice, keeps every acknowledged claim, counters = rows, one event per voucher', async () => {
    const acked: Ack[] = [];
    let killedInFlight = 0;
    let requests = 0;
    let server = await startServerProcess({ DATABASE_URL: testDb.url, ...ENV });
    try {
      for (let trial = 0; trial < TRIALS; trial++) {
        const { multi, single, singleMax, ids } = await newPrograms(trial);
        // Every rider claims the shared code and one of the multi codes (several riders per code).
        const pending: Promise<void>[] = [];
        // The kill lands after a random number of answers (0 = before any), so it hits mid-flight
        // whatever the engine's speed; odd trials add a random delay on top.
        const killAfter = randomInt(0, riders.length * 2);
        let answered = 0;
        let reached!: () => void;
        const killPoint = new Promise<void>((r) => (reached = r));
        if (killAfter === 0) reached();
        for (const [i, rider] of riders.entries()) {
          for (const code of [single, multi[i % multi.length]!]) {
            requests++;
            pending.push(
              claim(server, rider, code).then((r) => {
                if (++answered === killAfter) reached();
                if (r.status === 'killed') killedInFlight++;
                else if (r.status === 200) acked.push({ rider, voucherId: r.voucherId! });
                else expect([400, 409, 503], JSON.stringify(r)).toContain(r.status);
              }),
            );
          }
        }
        await killPoint;
        if (trial % 2 === 1) await new Promise((r) => setTimeout(r, randomInt(0, 20)));
        await server.stop('SIGKILL');
        await Promise.all(pending);

        expect(await claimViolations(testDb), `trial ${trial}`).toEqual([]);
        const vouchers = await testDb.database.db.selectFrom('vouchers').select(['id', 'user_id', 'program_id']).execute();
        const byId = new Map(vouchers.map((v) => [v.id, v]));
        for (const a of acked) expect(byId.get(a.voucherId)?.user_id, `acknowledged voucher ${a.voucherId}`).toBe(a.rider.userId);
        const singleVouchers = vouchers.filter((v) => v.program_id === ids[1]);
        expect(singleVouchers.length).toBeLessThanOrEqual(singleMax);

        // Restart: the service answers again and claims continue from the committed state.
        server = await startServerProcess({ DATABASE_URL: testDb.url, ...ENV });
        const late = riders[randomInt(0, riders.length)]!;
        const again = await claim(server, late, single);
        const holds = singleVouchers.some((v) => v.user_id === late.userId);
        if (holds || singleVouchers.length >= singleMax) {
          // Already holds a voucher of the program (409) or the code is used up (409/400, docs/redemption.md).
          expect(['409 code_already_redeemed', '400 redeem_count_exceeded']).toContain(`${again.status} ${again.code}`);
        } else expect(again.status, JSON.stringify(again)).toBe(200);
        if (again.status === 200) acked.push({ rider: late, voucherId: again.voucherId! });
        expect(await claimViolations(testDb)).toEqual([]);
      }
    } finally {
      await server.stop('SIGKILL');
    }
    console.info(`[claim-crash] ${TRIALS} kills, ${requests} claims sent, ${killedInFlight} cut by the kill, ${acked.length} acknowledged, 0 violations`);
    // The kill must actually land while claims are in flight in some trials, or this proves nothing.
    expect(killedInFlight).toBeGreaterThan(0);
  }, 900_000);
});
