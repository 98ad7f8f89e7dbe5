import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createContext, type AppContext } from '../../src/context.js';
import { leaseHolder } from '../../src/jobs/lease.repository.js';
import { bootstrap } from '../../src/modules/oauth/bootstrap.service.js';
import { statusSweepWorker } from '../../src/modules/programs/status-sweep.worker.js';
import { createTestDatabase, TEST_SECRETS_KEY, type TestDatabase } from '../helpers/database.js';
import { startServerProcess, type ServerProcess } from '../helpers/processes.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { createRiderApp, createRiders } from '../helpers/riders.js';

/**
 * Several processes (docs/scale-out.md): three real `voucherd serve` processes on one PostgreSQL
 * schema. Generation, claims, the status sweep and webhook deliveries stay correct when every
 * request and every background worker may run in any of them. The processes run on the real
 * clock, so this file does too; waits poll the database with a deadline (no fixed sleeps).
 */
const ENV = {
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  WEBHOOK_POLL_INTERVAL_MS: '100',
  STATUS_SWEEP_INTERVAL_MS: '200',
  CLAIM_FAILURES_PER_CLIENT: '100000000',
  CLAIM_FAILURES_PER_RIDER: '100000000',
  CLAIM_FAILURES_PER_PROGRAM: '100000000',
};
const RIDERS = 45;

let testDb: TestDatabase;
let ctx: AppContext;
let servers: ServerProcess[] = [];
let receiver: Receiver;
let org: string;
let token: string;
let riders: string[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  receiver = await startReceiver();
  ctx = createContext(loadConfig({ SECRETS_KEY: TEST_SECRETS_KEY, DEMO_BOOTSTRAP: 'false' }), testDb.database);
  const tenant = await bootstrap(ctx, { orgName: 'Scale-out', adminEmail: `scale-${process.pid}@example.com`, adminPassword: 'correct horse battery staple' });
  org = tenant.organization_id;
  servers = await Promise.all([0, 1, 2].map(() => startServerProcess({ DATABASE_URL: testDb.url, ...ENV })));
  const res = await fetch(`${servers[0]!.url}/oauth/v2/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${tenant.client.client_id}:${tenant.client.client_secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  token = ((await res.json()) as { access_token: string }).access_token;
  // Riders signed in through the real pages and the code exchange of one of the processes.
  riders = (await createRiders({ ctx, url: servers[1]!.url }, await createRiderApp(ctx), RIDERS)).map((r) => r.token);
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await receiver?.close();
  await testDb?.drop();
});

async function call(base: string, method: string, path: string, body?: unknown, bearer = token) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, any> };
}

function programBody(name: string, startsAt: number, endsAt: number, codes: number) {
  return { name, currency_code: 'USD', starts_at: startsAt, ends_at: endsAt, code_scheme: 'MULTI_CODE_SINGLE_REDEEM', number_of_codes: codes, value_per_trip_max_amount: 20 };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('three voucherd processes on one PostgreSQL', () => {
  it('generation, claims, the status sweep and webhook deliveries stay correct', async () => {
    const db = testDb.database.db;
    const url = (i: number) => servers[i % servers.length]!.url;

    // Two webhook endpoints (all event types) on a loopback receiver.
    const endpoints: string[] = [];
    for (const path of ['/a', '/b']) {
      const created = await call(url(0), 'POST', '/v1/webhook-endpoints', { url: `${receiver.url}${path}` });
      expect(created.status).toBe(201);
      endpoints.push(created.body.webhook_endpoint_id as string);
    }

    // Generation: one program per process, 10,000 more codes each, all at once.
    const now = Date.now();
    const programs: string[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await call(url(i), 'POST', `/v1/organizations/${org}/voucher-programs`, programBody(`Gen ${i}`, now, now + 86_400_000, 1));
      expect(created.status).toBe(200);
      programs.push(created.body.voucher_program_id as string);
    }
    const generated = await Promise.all(
      programs.map((p, i) => call(url(i), 'POST', `/v1/organizations/${org}/voucher-programs/${p}/codes/generate`, { number_of_codes: 10_000 })),
    );
    for (const g of generated) expect(g.status).toBe(200);
    for (const p of programs) {
      const got = await call(url(1), 'GET', `/v1/organizations/${org}/voucher-programs/${p}`);
      expect(got.body.total_number_of_codes).toBe(10_001);
      const rows = await db.selectFrom('voucher_codes').select((eb) => eb.fn.countAll<number>().as('n')).where('program_id', '=', p).executeTakeFirstOrThrow();
      expect(Number(rows.n)).toBe(10_001);
    }

    // Claims: 45 riders through the three processes — 30 distinct codes of program 0 (all win) and
    // 15 riders racing for one code of program 1 (exactly one wins).
    const codesOf = async (p: string, n: number) =>
      (await db.selectFrom('voucher_codes').select('code_text').where('program_id', '=', p).orderBy('id').limit(n).execute()).map((c) => c.code_text);
    const distinct = await codesOf(programs[0]!, 30);
    const [contested] = await codesOf(programs[1]!, 1);
    const claims = await Promise.all(
      riders.map((rider, i) => call(url(i), 'POST', '/v1.2/me/vouchers/redeem', { code_text: i < 30 ? distinct[i] : contested }, rider)),
    );
    expect(claims.slice(0, 30).map((c) => c.status)).toEqual(Array(30).fill(200));
    const raced = claims.slice(30);
    expect(raced.filter((c) => c.status === 200)).toHaveLength(1);
    expect(raced.filter((c) => c.status === 409 && c.body.code === 'code_already_redeemed')).toHaveLength(14);
    for (const [p, expected] of [
      [programs[0]!, 30],
      [programs[1]!, 1],
      [programs[2]!, 0],
    ] as const) {
      const got = await call(url(2), 'GET', `/v1/organizations/${org}/voucher-programs/${p}`);
      expect(got.body.usage_voucher_claim_count).toBe(expected);
      const vouchers = await db.selectFrom('vouchers').select((eb) => eb.fn.countAll<number>().as('n')).where('program_id', '=', p).executeTakeFirstOrThrow();
      expect(Number(vouchers.n)).toBe(expected);
      const events = await db
        .selectFrom('outbox_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('voucher_program_id', '=', p)
        .where('event_type', '=', 'voucher_program_code_claimed')
        .executeTakeFirstOrThrow();
      expect(Number(events.n)).toBe(expected);
    }

    // Status sweep: a program that starts and ends within seconds gets its ACTIVE and COMPLETE
    // transitions, each recorded once with one event, whichever process holds the sweep lease.
    // The test process sweeps at the same time, without the lease, to race the database guard too.
    const shortStart = Date.now() + 1_500;
    const short = await call(url(1), 'POST', `/v1/organizations/${org}/voucher-programs`, programBody('Short', shortStart, shortStart + 1_500, 1));
    expect(short.status).toBe(200);
    const shortId = short.body.voucher_program_id as string;
    await until('the short program to complete', async () => {
      await Promise.all([0, 1, 2].map(() => statusSweepWorker.run(ctx, new AbortController().signal)));
      const rows = await db.selectFrom('program_status_transitions').select('status').where('program_id', '=', shortId).execute();
      return rows.some((r) => r.status === 'COMPLETE') ? rows : undefined;
    });
    // The processes' own sweep ran too: one of them holds its lease (the test process never takes it).
    expect(await leaseHolder(db, 'worker:program-status-sweep')).toMatch(/^proc-/);
    const allPrograms = [...programs, shortId];
    const transitions = await db.selectFrom('program_status_transitions').select(['program_id', 'status']).where('program_id', 'in', allPrograms).execute();
    expect(transitions.filter((t) => t.program_id === shortId).map((t) => t.status).sort()).toEqual(['ACTIVE', 'COMPLETE']);
    for (const p of programs) expect(transitions.filter((t) => t.program_id === p).map((t) => t.status)).toEqual(['ACTIVE']);
    const statusEvents = await db
      .selectFrom('outbox_events')
      .select(['voucher_program_id', 'event_type'])
      .where('event_type', 'in', ['voucher_program_activated', 'voucher_program_completed'])
      .execute();
    expect(statusEvents.filter((e) => e.voucher_program_id === shortId).map((e) => e.event_type).sort()).toEqual([
      'voucher_program_activated',
      'voucher_program_completed',
    ]);
    for (const p of programs) expect(statusEvents.filter((e) => e.voucher_program_id === p).map((e) => e.event_type)).toEqual(['voucher_program_activated']);

    // Webhooks: every outbox event reaches each endpoint exactly once, though all three processes
    // fan out and deliver concurrently.
    const events = await db.selectFrom('outbox_events').select('id').where('organization_id', '=', org).execute();
    const eventIds = events.map((e) => e.id).sort();
    await until('every delivery to succeed', async () => {
      const pending = await db.selectFrom('outbox_events').select('id').where('dispatched_at', 'is', null).execute();
      const open = await db.selectFrom('webhook_deliveries').select('id').where('status', '!=', 'SUCCEEDED').execute();
      return pending.length === 0 && open.length === 0 && receiver.requests.length >= eventIds.length * endpoints.length ? true : undefined;
    });
    const deliveries = await db.selectFrom('webhook_deliveries').select(['id', 'event_id', 'endpoint_id']).execute();
    for (const endpoint of endpoints) {
      const mine = deliveries.filter((d) => d.endpoint_id === endpoint);
      expect(mine.map((d) => d.event_id).sort()).toEqual(eventIds);
      const received = receiver.requests
        .map((r) => JSON.parse(r.raw.toString('utf8')) as { webhook_meta: { webhook_endpoint_id: string; webhook_msg_uuid: string } })
        .filter((b) => b.webhook_meta.webhook_endpoint_id === endpoint)
        .map((b) => b.webhook_meta.webhook_msg_uuid)
        .sort();
      // One request per delivery: no message was sent twice by two processes.
      expect(received).toEqual(mine.map((d) => d.id).sort());
    }
    expect(receiver.requests).toHaveLength(eventIds.length * endpoints.length);
  }, 60_000);
});
