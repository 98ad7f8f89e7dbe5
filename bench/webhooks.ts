/**
 * Webhook and Idempotency-Key benchmark (bounded to about a minute):
 *  1. deliveries/second from the outbox to a local HTTP receiver on loopback (SQLite, and
 *     PostgreSQL when BENCH_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/test answers);
 *  2. added latency of an Idempotency-Key on Generate (1 code) vs the same request without a key.
 * Run: node --import tsx bench/webhooks.ts
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createContext, type AppContext } from '../src/context.js';
import { openDatabase, type Database } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { bootstrap } from '../src/modules/oauth/bootstrap.service.js';
import { createEndpoint } from '../src/modules/webhooks/endpoint.service.js';
import { recordEvent } from '../src/modules/webhooks/outbox.js';
import { webhookWorker } from '../src/modules/webhooks/webhook.worker.js';
import { unitOfWork } from '../src/db/unit-of-work.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 2000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const ENV = { DEMO_BOOTSTRAP: 'false', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', LOG_LEVEL: 'silent' };

async function receiver() {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received += 1;
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, count: () => received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function sqliteDb(): Promise<{ database: Database; drop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'voucherd-bench-'));
  const database = openDatabase(`sqlite:${join(dir, 'bench.db')}`);
  await migrateToLatest(database);
  return { database, drop: async () => (await database.close(), rmSync(dir, { recursive: true, force: true })) };
}

async function postgresDb(): Promise<{ database: Database; drop(): Promise<void> } | null> {
  const url = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  try {
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
  } catch {
    return null;
  }
  const database = openDatabase(url, { schema });
  await migrateToLatest(database);
  return {
    database,
    drop: async () => {
      await database.close();
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}

async function deliveryRate(name: string, database: Database, concurrency: number): Promise<string> {
  const ctx: AppContext = createContext(loadConfig({ ...ENV, WEBHOOK_CONCURRENCY: String(concurrency) }), database);
  const rx = await receiver();
  const tenant = await bootstrap(ctx, { orgName: 'Bench', adminEmail: `bench-${concurrency}@example.com`, adminPassword: 'correct horse battery staple' });
  await createEndpoint(ctx, { clientId: tenant.client.client_id, url: rx.url }, unitOfWork(ctx.database));
  for (let i = 0; i < EVENTS; i += 500) {
    await database.db.transaction().execute(async (trx) => {
      for (let j = i; j < Math.min(EVENTS, i + 500); j += 1) {
        await recordEvent(ctx, trx, { eventType: 'voucher_program_updated', organizationId: tenant.organization_id, voucherProgramId: ctx.ids.next(), data: { total_number_of_codes: j } });
      }
    });
  }
  const worker = webhookWorker(ctx);
  const signal = new AbortController().signal;
  const t0 = performance.now();
  const deadline = t0 + 20_000;
  while (rx.count() < EVENTS && performance.now() < deadline) await worker.run(ctx, signal);
  const seconds = (performance.now() - t0) / 1000;
  await worker.close();
  await rx.close();
  const line = `| ${name} | ${concurrency} | ${rx.count()} | ${seconds.toFixed(2)} | ${Math.round(rx.count() / seconds)} |`;
  console.log(line);
  return line;
}

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: at(0.5), p95: at(0.95) };
}

async function idempotencyLatency(): Promise<string[]> {
  const db = await sqliteDb();
  const ctx = createContext(loadConfig(ENV), db.database);
  const app = await buildApp(ctx);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const tenant = await bootstrap(ctx, { orgName: 'Bench', adminEmail: 'bench-idem@example.com', adminPassword: 'correct horse battery staple' });
  const tokenRes = await fetch(`${base}/oauth/v2/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${tenant.client.client_id}:${tenant.client.client_secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials&scope=organizations.voucher_programs',
  });
  const token = ((await tokenRes.json()) as { access_token: string }).access_token;
  const now = Date.now();
  const program = await fetch(`${base}/v1/organizations/${tenant.organization_id}/voucher-programs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Bench', currency_code: 'USD', starts_at: now, ends_at: now + 30 * 86_400_000, code_scheme: 'MULTI_CODE_SINGLE_REDEEM', number_of_codes: 1, value_per_trip_max_amount: 20 }),
  });
  const programId = ((await program.json()) as { voucher_program_id: string }).voucher_program_id;
  const url = `${base}/v1/organizations/${tenant.organization_id}/voucher-programs/${programId}/codes/generate`;
  const once = async (key?: string) => {
    const t0 = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify({ number_of_codes: 1 }),
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`generate answered ${res.status}`);
    return performance.now() - t0;
  };
  for (let i = 0; i < 30; i += 1) await once(i % 2 ? `warm-${i}` : undefined);
  const plain: number[] = [];
  const keyed: number[] = [];
  const replayed: number[] = [];
  for (let i = 0; i < REQUESTS; i += 1) {
    plain.push(await once());
    keyed.push(await once(`bench-${i}`));
    replayed.push(await once(`bench-${i}`)); // same key + body: answered from the stored response
  }
  await app.close();
  await db.drop();
  const [p, k, r] = [stats(plain), stats(keyed), stats(replayed)];
  const lines = [
    `| without key | ${REQUESTS} | ${p.p50.toFixed(2)} | ${p.p95.toFixed(2)} |`,
    `| with a new key | ${REQUESTS} | ${k.p50.toFixed(2)} | ${k.p95.toFixed(2)} |`,
    `| replay (same key) | ${REQUESTS} | ${r.p50.toFixed(2)} | ${r.p95.toFixed(2)} |`,
    `Added latency of a key (p50): ${(k.p50 - p.p50).toFixed(2)} ms`,
  ];
  for (const l of lines) console.log(l);
  return lines;
}

async function main(): Promise<void> {
  console.log(`Node ${process.version}, ${EVENTS} events per run, receiver on loopback\n`);
  console.log('| engine | concurrency | delivered | seconds | deliveries/s |\n|---|---|---|---|---|');
  for (const concurrency of [1, 16]) {
    const sqlite = await sqliteDb();
    await deliveryRate('sqlite', sqlite.database, concurrency);
    await sqlite.drop();
    const postgres = await postgresDb();
    if (postgres) {
      await deliveryRate('postgres', postgres.database, concurrency);
      await postgres.drop();
    }
  }
  console.log(`\nGenerate (1 code), SQLite, sequential over HTTP on loopback, ms:\n\n| request | n | p50 | p95 |\n|---|---|---|---|`);
  await idempotencyLatency();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
