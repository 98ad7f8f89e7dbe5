import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createContext, type AppContext } from '../../src/context.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { bootstrap, type BootstrapResult } from '../../src/modules/oauth/bootstrap.service.js';
import { createTemporaryDatabase, TEST_SECRETS_KEY, type TemporaryDatabase } from '../helpers/database.js';
import { startPgBouncer, type PgBouncer } from '../helpers/pgbouncer.js';
import { startServerProcess, type ServerProcess } from '../helpers/processes.js';
import { createRiderApp, createRiders, type Rider } from '../helpers/riders.js';

// voucherd behind a real PgBouncer in transaction pooling (docs/postgres-topologies.md): many
// client connections share 3 server connections, so any statement that outlives its transaction
// (a named prepared statement) collides. Runs on the postgres project only.
const RIDERS = 60;
const PROGRAMS = 3;
// The burst stands in for many clients, all from this one address: neither its failure budgets nor
// the per-address connection cap are what this file tests.
const BUDGETS = { CLAIM_FAILURES_PER_CLIENT: '100000000', CLAIM_FAILURES_PER_RIDER: '100000000', CLAIM_FAILURES_PER_PROGRAM: '100000000', MAX_CONNECTIONS_PER_ADDRESS: '100000' };

let temp: TemporaryDatabase;
let direct: Database;
let ctx: AppContext;
let bouncer: PgBouncer;
let tenant: BootstrapResult;
let riders: Rider[];
const servers: ServerProcess[] = [];

beforeAll(async () => {
  temp = await createTemporaryDatabase();
  direct = openDatabase(temp.url);
  await migrateToLatest(direct);
  ctx = createContext(loadConfig({ SECRETS_KEY: TEST_SECRETS_KEY, DEMO_BOOTSTRAP: 'false' }), direct);
  tenant = await bootstrap(ctx, { orgName: 'Pooled', adminEmail: 'pooled@example.com', adminPassword: 'correct horse battery staple' });
  // Riders sign in through the real pages of a directly connected process.
  riders = await createRiders({ ctx, url: (await serve(temp.url)).url }, await createRiderApp(ctx), RIDERS);
  const upstream = new URL(temp.url);
  bouncer = await startPgBouncer({ upstreamHost: upstream.hostname, upstreamPort: Number(upstream.port || 5432), user: decodeURIComponent(upstream.username || 'postgres'), poolMode: 'transaction', serverPoolSize: 3 });
}, 180_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await bouncer?.stop();
  await direct?.close();
  await temp?.drop();
});

function pooledUrl(query = ''): string {
  const u = new URL(temp.url);
  u.host = `127.0.0.1:${bouncer.port}`;
  return `${u.toString()}${query}`;
}

async function serve(databaseUrl: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const server = await startServerProcess({ DATABASE_URL: databaseUrl, DATABASE_POOL_SIZE: '40', LOG_LEVEL: 'info', ...BUDGETS, ...env });
  servers.push(server);
  return server;
}

async function call(url: string, init: RequestInit & { token?: string; body?: string } = {}): Promise<number> {
  const res = await fetch(url, {
    ...init,
    headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}) },
  });
  await res.arrayBuffer();
  return res.status;
}

/** A few hundred parallel requests of every hot kind; returns the status counts. */
async function burst(server: ServerProcess): Promise<Record<string, number>> {
  const org = tenant.organization_id;
  const tokenRes = await fetch(`${server.url}/oauth/v2/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${tenant.client.client_id}:${tenant.client.client_secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials&scope=organizations.voucher_programs',
  });
  expect(tokenRes.status).toBe(200);
  const token = ((await tokenRes.json()) as { access_token: string }).access_token;
  const now = Date.now();
  const programs: { id: string; codes: string[] }[] = [];
  for (let p = 0; p < PROGRAMS; p++) {
    const res = await fetch(`${server.url}/v1/organizations/${org}/voucher-programs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `Pooled ${p}`, currency_code: 'USD', starts_at: now - 60_000, ends_at: now + 86_400_000, code_scheme: 'MULTI_CODE_SINGLE_REDEEM', number_of_codes: RIDERS, value_per_trip_max_amount: 20 }),
    });
    expect(res.status).toBe(200);
    const id = ((await res.json()) as { voucher_program_id: string }).voucher_program_id;
    const codes = await direct.db.selectFrom('voucher_codes').select('code_text').where('program_id', '=', id).orderBy('id').execute();
    programs.push({ id, codes: codes.map((c) => c.code_text) });
  }
  const base = `${server.url}/v1/organizations/${org}/voucher-programs`;
  const requests: Promise<number>[] = [];
  for (const program of programs) {
    riders.forEach((rider, i) => {
      requests.push(call(`${server.url}/v1.2/me/vouchers/redeem`, { method: 'POST', token: rider.token, body: JSON.stringify({ code_text: program.codes[i] }) }));
      if (i % 3 === 0) requests.push(call(`${base}/${program.id}/codes/generate`, { method: 'POST', token, body: JSON.stringify({ number_of_codes: 2 }) }));
      if (i % 2 === 0) requests.push(call(`${base}/${program.id}`, { token }));
      if (i % 4 === 0) requests.push(call(`${base}/${program.id}/codes?limit=5`, { token }));
    });
  }
  const statuses = await Promise.all(requests);
  const counts: Record<string, number> = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
}

describe('behind PgBouncer in transaction pooling', () => {
  it('auto: the pooler is detected, named statements go off, a few hundred parallel requests get no 500', async () => {
    const server = await serve(pooledUrl());
    const counts = await burst(server);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(300);
    expect(Object.keys(counts).filter((s) => Number(s) >= 500), JSON.stringify(counts)).toEqual([]);
    // Every rider claimed one distinct code of each program.
    expect(counts['200']).toBeGreaterThanOrEqual(RIDERS * PROGRAMS);
    expect(server.output()).toMatch(/"named_prepared_statements":false/);
  });

  it('?pgbouncer=true turns named statements off without asking the server', async () => {
    const server = await serve(pooledUrl('?pgbouncer=true'));
    const counts = await burst(server);
    expect(Object.keys(counts).filter((s) => Number(s) >= 500), JSON.stringify(counts)).toEqual([]);
    expect(server.output()).not.toMatch(/named_prepared_statements/);
  });

  it('a direct connection keeps named prepared statements (auto decides on)', async () => {
    const server = await serve(temp.url);
    const res = await fetch(`${server.url}/oauth/v2/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${tenant.client.client_id}:${tenant.client.client_secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials&scope=organizations.voucher_programs',
    });
    expect(res.status).toBe(200);
    const token = ((await res.json()) as { access_token: string }).access_token;
    // A marked hot-path statement (the token lookup) makes auto decide.
    const now = Date.now();
    const created = await call(`${server.url}/v1/organizations/${tenant.organization_id}/voucher-programs`, {
      method: 'POST',
      token,
      body: JSON.stringify({ name: 'Direct', currency_code: 'USD', starts_at: now, ends_at: now + 86_400_000, code_scheme: 'MULTI_CODE_SINGLE_REDEEM', number_of_codes: 1, value_per_trip_max_amount: 20 }),
    });
    expect(created).toBe(200);
    await expect.poll(() => server.output()).toMatch(/"named_prepared_statements":true/);
  });
});
