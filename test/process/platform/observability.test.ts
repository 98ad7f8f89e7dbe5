import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { createContext, type AppContext } from '../../../src/context.js';
import { bootstrap, type BootstrapResult } from '../../../src/modules/oauth/bootstrap.service.js';
import { createTestDatabase, TEST_SECRETS_KEY, type TestDatabase } from '../../helpers/database.js';
import { startServerProcess, type ServerProcess } from '../../helpers/processes.js';
import { startReceiver, type Receiver } from '../../helpers/receiver.js';
import { createRiderApp, createRiders, type Rider } from '../../helpers/riders.js';
import { waitFor } from '../../helpers/processes.js';

// Observability of a real `voucherd serve` (docs/observability.md): /metrics checked by
// Prometheus' own promtool after real traffic, request ids and trace ids in the real log lines.
const PROMTOOL = '/usr/bin/promtool';

let testDb: TestDatabase;
let ctx: AppContext;
let tenant: BootstrapResult;
let riders: Rider[];
let receiver: Receiver;
let server: ServerProcess;
let token: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = createContext(loadConfig({ SECRETS_KEY: TEST_SECRETS_KEY, DEMO_BOOTSTRAP: 'false' }), testDb.database);
  tenant = await bootstrap(ctx, { orgName: 'Observed', adminEmail: `observed-${process.pid}@example.com`, adminPassword: 'correct horse battery staple' });
  receiver = await startReceiver();
  server = await startServerProcess({ DATABASE_URL: testDb.url, LOG_LEVEL: 'info', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_POLL_INTERVAL_MS: '50', INLINE_GENERATION_LIMIT: '4', GENERATION_POLL_MS: '50' });
  riders = await createRiders({ ctx, url: server.url }, await createRiderApp(ctx), 2);
  const res = await fetch(`${server.url}/oauth/v2/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${tenant.client.client_id}:${tenant.client.client_secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&scope=organizations.voucher_programs',
  });
  token = ((await res.json()) as { access_token: string }).access_token;
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await receiver?.close();
  await testDb?.drop();
});

async function api(path: string, init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** The value of one sample line of the exposition, e.g. `voucherd_claims_total{outcome="claimed"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics after traffic', () => {
  it('has the domain metrics with the counts of what happened, and promtool finds nothing to complain about', async () => {
    if (!existsSync(PROMTOOL)) throw new Error(`promtool is not installed (${PROMTOOL}): run \`apt-get install -y prometheus\` (.ci/run installs it)`);
    const org = tenant.organization_id;
    const hook = await api('/v1/webhook-endpoints', { method: 'POST', token, body: { url: `${receiver.url}/hook` } });
    expect(hook.status).toBe(201);
    const now = Date.now();
    const program = await api(`/v1/organizations/${org}/voucher-programs`, {
      method: 'POST',
      token,
      body: { name: 'Observed', currency_code: 'USD', starts_at: now - 60_000, ends_at: now + 86_400_000, code_scheme: 'MULTI_CODE_SINGLE_REDEEM', number_of_codes: 4, value_per_trip_max_amount: 20 },
    });
    expect(program.status).toBe(200);
    const programId = program.body.voucher_program_id as string;
    expect((await api(`/v1/organizations/${org}/voucher-programs/${programId}/codes/generate`, { method: 'POST', token, body: { number_of_codes: 3 } })).status).toBe(200);
    // Above INLINE_GENERATION_LIMIT (4 here): a background job.
    expect((await api(`/v1/organizations/${org}/voucher-programs/${programId}/codes/generate`, { method: 'POST', token, body: { number_of_codes: 5 } })).status).toBe(202);
    const codes = await testDb.database.db.selectFrom('voucher_codes').select('code_text').where('program_id', '=', programId).execute();
    const claimed = await api('/v1.2/me/vouchers/redeem', { method: 'POST', token: riders[0]!.token, body: { code_text: codes[0]!.code_text } });
    expect(claimed.status).toBe(200);
    expect((await api('/v1.2/me/vouchers/redeem', { method: 'POST', token: riders[1]!.token, body: { code_text: codes[0]!.code_text } })).status).toBe(409);
    await waitFor(async () => receiver.requests.length > 0, 'a webhook delivery');
    await waitFor(async () => (sample(await (await fetch(`${server.url}/metrics`)).text(), 'voucherd_code_generation_duration_seconds_count{mode="job"}') ?? 0) >= 1, 'the job to finish');

    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    // One claimed, one refused; 4 codes on create (its first batch) + 3 generated inline, 5 by a job.
    expect(sample(text, 'voucherd_claims_total{outcome="claimed"}')).toBe(1);
    expect(sample(text, 'voucherd_claims_total{outcome="code_already_redeemed"}')).toBe(1);
    expect(sample(text, 'voucherd_codes_generated_total{mode="sync"}')).toBe(7);
    expect(sample(text, 'voucherd_code_generation_duration_seconds_count{mode="sync"}')).toBe(2);
    expect(sample(text, 'voucherd_codes_generated_total{mode="job"}')).toBe(5);
    expect(sample(text, 'voucherd_code_generation_duration_seconds_count{mode="job"}')).toBe(1);
    await waitFor(async () => {
      const again = await (await fetch(`${server.url}/metrics`)).text();
      return (sample(again, 'voucherd_webhook_delivery_attempts_total{outcome="delivered"}') ?? 0) >= 1 && again;
    }, 'the delivery to be counted');
    for (const family of ['voucherd_outbox_backlog', 'voucherd_webhook_deliveries_pending', 'voucherd_db_pool_waiting', 'voucherd_webhook_delivery_lag_seconds_count']) {
      expect(sample(text, family), family).toEqual(expect.any(Number));
    }
    expect(text).toContain('voucherd_generation_jobs{state="queued"} 0');
    expect(text).toContain('voucherd_generation_jobs{state="running"} 0');
    expect(text).toContain('# TYPE voucherd_trips_total counter');

    const check = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect({ status: check.status, out: `${check.stdout}${check.stderr}`.trim() }).toEqual({ status: 0, out: '' });
  });
});

describe('request ids and trace context in the log lines', () => {
  const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

  const linesOf = (requestId: string) =>
    server
      .stdout()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.reqId === requestId);

  it('a valid X-Request-Id is the request id (echoed, in every log line), with the traceparent trace id', async () => {
    const requestId = `client-${process.pid}.a_b`;
    const res = await api('/healthz', { headers: { 'x-request-id': requestId, traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` } });
    expect(res.headers.get('x-request-id')).toBe(requestId);
    const lines = await waitFor(async () => linesOf(requestId).length >= 2 && linesOf(requestId), 'the request log lines');
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['incoming request', 'request completed']));
    for (const line of lines) expect(line.trace_id).toBe(TRACE_ID);
  });

  it.each([
    ['has spaces', 'bad id with spaces'],
    ['is too long', 'x'.repeat(129)],
    ['has other characters', 'id\u00e9;drop'],
  ])('an X-Request-Id that %s is replaced by a fresh one', async (_what, requestId) => {
    const res = await api('/healthz', { headers: { 'x-request-id': requestId } });
    const echoed = res.headers.get('x-request-id');
    expect(echoed).toMatch(/^[A-Za-z0-9._-]{1,128}$/);
    expect(echoed).not.toBe(requestId);
  });

  it.each([
    ['version ff', `ff-${TRACE_ID}-00f067aa0ba902b7-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['upper-case hex', `00-${TRACE_ID.toUpperCase()}-00f067aa0ba902b7-01`],
    ['a short parent id', `00-${TRACE_ID}-00f067aa-01`],
  ])('a traceparent with %s is ignored (no trace_id)', async (_what, traceparent) => {
    const requestId = `bad-trace-${Math.random().toString(36).slice(2)}`;
    await api('/healthz', { headers: { 'x-request-id': requestId, traceparent } });
    const lines = await waitFor(async () => linesOf(requestId).length >= 2 && linesOf(requestId), 'the request log lines');
    for (const line of lines) expect(line).not.toHaveProperty('trace_id');
  });
});

describe('stdout is JSON log lines only', () => {
  it('the demo banner, with its secrets, goes to stderr', async () => {
    const fresh = await createTestDatabase();
    const demo = await startServerProcess({ DATABASE_URL: fresh.url, DEMO_BOOTSTRAP: 'true', LOG_LEVEL: 'info' });
    try {
      await fetch(`${demo.url}/healthz`);
      await waitFor(async () => demo.stdout().includes('request completed'), 'a log line');
      const lines = demo.stdout().split('\n').filter(Boolean);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
      expect(demo.stderr()).toMatch(/client_secret\s+\S+/);
      const secret = /client_secret\s+(\S+)/.exec(demo.stderr())![1]!;
      expect(demo.stdout()).not.toContain(secret);
    } finally {
      await demo.stop();
      await fresh.drop();
    }
  });
});

