import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createContext, type AppContext } from '../../src/context.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { ReplaceablePool } from '../../src/db/replaceable-pool.js';
import { issueAccessToken } from '../../src/modules/oauth/token.service.js';
import { bootstrap, type BootstrapResult } from '../../src/modules/oauth/bootstrap.service.js';
import { createProgram } from '../../src/modules/codes/program-create.service.js';
import { createTemporaryDatabase, type TemporaryDatabase } from '../helpers/database.js';
import { startPgBouncer, type PgBouncer } from '../helpers/pgbouncer.js';
import { freePort } from '../helpers/processes.js';
import { createRider, createRiderApp, type Rider } from '../helpers/riders.js';
import { unitOfWork } from '../../src/db/unit-of-work.js';

// A standby simulated by a database whose sessions start read-only
// (ALTER DATABASE … SET default_transaction_read_only = on): docs/postgres-topologies.md.
const PROGRAM = { currency_code: 'USD', code_scheme: 'MULTI_CODE_SINGLE_REDEEM', number_of_codes: 3, value_per_trip_max_amount: 20 } as const;

async function setReadOnly(name: string, on: boolean): Promise<void> {
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(on ? `alter database ${name} set default_transaction_read_only = on` : `alter database ${name} reset default_transaction_read_only`);
  await admin.end();
}

async function appOn(url: string): Promise<{ app: FastifyInstance; database: Database }> {
  const database = openDatabase(url, { poolSize: 2 });
  const app = await buildApp(createContext(loadConfig({ DEMO_BOOTSTRAP: 'false' }), database));
  await app.ready();
  return { app, database };
}

describe('a read-only PostgreSQL session (a standby)', () => {
  let temp: TemporaryDatabase;
  let setup: Database;
  let tenant: BootstrapResult;
  let token: string;
  let rider: Rider;
  let code: string;
  let app: FastifyInstance;
  let database: Database;

  beforeAll(async () => {
    temp = await createTemporaryDatabase();
    setup = openDatabase(temp.url);
    await migrateToLatest(setup);
    const ctx: AppContext = createContext(loadConfig({ DEMO_BOOTSTRAP: 'false' }), setup);
    tenant = await bootstrap(ctx, { orgName: 'Standby', adminEmail: 'standby@example.com', adminPassword: 'correct horse battery staple' });
    token = (await issueAccessToken(ctx, { clientId: tenant.client.client_id, grantType: 'client_credentials', scopes: ['organizations.voucher_programs'] })).access_token;
    // The rider signs in through the real pages while the database still takes writes.
    const writable = await buildApp(ctx);
    try {
      rider = await createRider({ ctx, app: writable }, await createRiderApp(ctx));
    } finally {
      await writable.close();
    }
    const now = Date.now();
    const program = await createProgram(ctx, { organizationId: tenant.organization_id, clientId: null, body: { ...PROGRAM, name: 'Before', starts_at: now - 60_000, ends_at: now + 86_400_000 } }, unitOfWork(ctx.database));
    code = (await setup.db.selectFrom('voucher_codes').select('code_text').where('program_id', '=', program.voucher_program_id).executeTakeFirstOrThrow()).code_text;
    await setup.close();
    await setReadOnly(temp.name, true);
    ({ app, database } = await appOn(temp.url));
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await database?.close();
    await temp?.drop();
  });

  const createBody = () => {
    const now = Date.now();
    return { ...PROGRAM, name: 'After', starts_at: now, ends_at: now + 86_400_000 };
  };

  it('/readyz answers 503 read_only with Retry-After', async () => {
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json()).toEqual({ status: 'read_only', database: 'postgres', environment: 'production' });
  });

  it('a claim and a program create (writes, SQLSTATE 25006) → 503 + Retry-After, never 500; the pool is replaced', async () => {
    const pool = database.pool as ReplaceablePool;
    const before = pool.replacements;
    const claim = await app.inject({ method: 'POST', url: '/v1.2/me/vouchers/redeem', headers: { authorization: `Bearer ${rider.token}` }, payload: { code_text: code } });
    expect(claim.statusCode, claim.body).toBe(503);
    expect(claim.headers['retry-after']).toBe('1');
    expect(claim.json().code).toBe('service_unavailable');
    const create = await app.inject({ method: 'POST', url: `/v1/organizations/${tenant.organization_id}/voucher-programs`, headers: { authorization: `Bearer ${token}` }, payload: createBody() });
    expect(create.statusCode, create.body).toBe(503);
    expect(create.headers['retry-after']).toBe('1');
    expect(pool.replacements).toBeGreaterThan(before);
  });

  it('once the database accepts writes again, the next write succeeds (no read-only connection is kept)', async () => {
    // Warm the current pool with a read-only connection, then fail one write on it.
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
    const refused = await app.inject({ method: 'POST', url: `/v1/organizations/${tenant.organization_id}/voucher-programs`, headers: { authorization: `Bearer ${token}` }, payload: createBody() });
    expect(refused.statusCode).toBe(503);
    await setReadOnly(temp.name, false);
    const create = await app.inject({ method: 'POST', url: `/v1/organizations/${tenant.organization_id}/voucher-programs`, headers: { authorization: `Bearer ${token}` }, payload: createBody() });
    expect(create.statusCode, create.body).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });
});

describe('a DATABASE_URL with several hosts', () => {
  let readOnly: TemporaryDatabase;
  let readWrite: TemporaryDatabase;
  let bouncer: PgBouncer;
  let closedPort: number;
  const apps: { app: FastifyInstance; database: Database }[] = [];

  beforeAll(async () => {
    readOnly = await createTemporaryDatabase();
    readWrite = await createTemporaryDatabase();
    await setReadOnly(readOnly.name, true);
    const upstream = new URL(readOnly.url);
    // The second "host": a PgBouncer whose database of the read-only one's name is the writable one.
    bouncer = await startPgBouncer({
      upstreamHost: upstream.hostname,
      upstreamPort: Number(upstream.port || 5432),
      user: decodeURIComponent(upstream.username || 'postgres'),
      poolMode: 'session',
      serverPoolSize: 4,
      aliases: { [readOnly.name]: readWrite.name },
    });
    closedPort = await freePort();
  }, 60_000);

  afterAll(async () => {
    for (const { app, database } of apps) {
      await app.close();
      await database.close();
    }
    await bouncer?.stop();
    await readOnly?.drop();
    await readWrite?.drop();
  });

  const hostsUrl = (hosts: string[], database: string, attrs?: string) => {
    const u = new URL(readOnly.url);
    return `postgres://${u.username}@${hosts.join(',')}/${database}${attrs ? `?target_session_attrs=${attrs}` : ''}`;
  };
  const readyz = async (url: string) => {
    const handle = await appOn(url);
    apps.push(handle);
    const res = await handle.app.inject({ method: 'GET', url: '/readyz' });
    return { status: res.statusCode, body: res.json() as { status: string } };
  };
  const direct = () => `${new URL(readOnly.url).hostname}:${new URL(readOnly.url).port || 5432}`;

  it('hosts are tried in order: a refused first host is skipped', async () => {
    expect(await readyz(hostsUrl([`127.0.0.1:${closedPort}`, direct()], readWrite.name))).toEqual({ status: 200, body: { status: 'ok', database: 'postgres', environment: 'production' } });
  });

  it('target_session_attrs=read-write skips the read-only host and picks the writable one', async () => {
    expect(await readyz(hostsUrl([direct(), `127.0.0.1:${bouncer.port}`], readOnly.name, 'read-write'))).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('target_session_attrs=read-only picks the read-only host (and /readyz then says read_only)', async () => {
    expect(await readyz(hostsUrl([`127.0.0.1:${bouncer.port}`, direct()], readOnly.name, 'read-only'))).toMatchObject({ status: 503, body: { status: 'read_only' } });
  });

  it('no host fits → 503 unavailable, not a crash', async () => {
    expect(await readyz(hostsUrl([`127.0.0.1:${closedPort}`, direct()], readOnly.name, 'read-write'))).toMatchObject({ status: 503, body: { status: 'unavailable' } });
  });
});
