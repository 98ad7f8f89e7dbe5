/**
 * Benchmark: Cancel Voucher Codes with 10,000 ids, and the streamed CSV export of a
 * 1,000,000-code program (docs/programs.md; bench/README.md-style), on SQLite and on PostgreSQL.
 *
 *   node --import tsx bench/cancel-export.ts            # both engines
 *   BENCH_ENGINES=sqlite BENCH_CODES=200000 node --import tsx bench/cancel-export.ts
 *
 * Setup goes through the service (Generate in batches of 30,000), then both measured calls go over
 * real HTTP to a server this script starts on a free loopback port. Peak RSS is sampled every 20 ms
 * during each call; the server and the client share this process, so the figure covers both.
 * PostgreSQL: BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test), in a
 * throw-away schema.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createContext, type AppContext } from '../src/context.js';
import { openDatabase, type Database } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { unitOfWork } from '../src/db/unit-of-work.js';
import { generateVoucherCodes } from '../src/modules/codes/generation.service.js';
import { bootstrap } from '../src/modules/oauth/bootstrap.service.js';
import { createProgram } from '../src/modules/codes/program-create.service.js';

const TOTAL = Number(process.env.BENCH_CODES ?? 1_000_000);
const CANCEL = 10_000;
const BATCH = 30_000;
const ENGINES = (process.env.BENCH_ENGINES ?? 'sqlite,postgres').split(',');
const PG_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Runs `fn`, sampling RSS; returns its result, wall time and the peak RSS seen. */
async function measure<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number; peakRss: number; startRss: number }> {
  global.gc?.();
  const startRss = process.memoryUsage().rss;
  let peakRss = startRss;
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  const t0 = performance.now();
  try {
    const result = await fn();
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    return { result, ms: performance.now() - t0, peakRss, startRss };
  } finally {
    clearInterval(timer);
  }
}

async function openEngine(engine: string): Promise<{ database: Database; cleanup: () => Promise<void>; url: string }> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'voucherd-bench-'));
    const url = `sqlite:${join(dir, 'bench.db')}`;
    const database = openDatabase(url);
    return { database, url, cleanup: async () => { await database.close(); rmSync(dir, { recursive: true, force: true }); } };
  }
  const schema = `bench_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const database = openDatabase(PG_URL, { schema });
  return {
    database,
    url: PG_URL,
    cleanup: async () => {
      await database.close();
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}

async function token(base: string, clientId: string, secret: string): Promise<string> {
  const res = await fetch(`${base}/oauth/v2/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials&scope=organizations.voucher_programs',
  });
  if (res.status !== 200) throw new Error(`token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function setup(ctx: AppContext) {
  const tenant = await bootstrap(ctx, { orgName: 'Bench', adminEmail: `bench-${Date.now()}@example.com` });
  const now = ctx.clock.now();
  const first = Math.min(BATCH, TOTAL);
  const { voucher_program_id: programId } = await createProgram(ctx, {
    organizationId: tenant.organization_id,
    clientId: tenant.client.client_id,
    body: {
      name: 'Bench',
      currency_code: 'USD',
      starts_at: now,
      ends_at: now + 30 * 86_400_000,
      code_scheme: 'MULTI_CODE_SINGLE_REDEEM',
      number_of_codes: first,
      value_per_trip_max_amount: 10,
    },
  }, unitOfWork(ctx.database));
  for (let done = first; done < TOTAL; done += BATCH) {
    await generateVoucherCodes(ctx, { organizationId: tenant.organization_id, programId, count: Math.min(BATCH, TOTAL - done), clientId: null }, unitOfWork(ctx.database));
  }
  return { tenant, programId };
}

async function runEngine(engine: string): Promise<string[]> {
  const { database, cleanup } = await openEngine(engine);
  try {
    await migrateToLatest(database);
    const config = loadConfig({ PUBLIC_URL: 'https://vouchers.example', DEMO_BOOTSTRAP: 'false', MAX_PAGE_SIZE: '10000' });
    const ctx = createContext(config, database);
    const gen = await measure(() => setup(ctx));
    const { tenant, programId } = gen.result;
    const app = await buildApp(ctx);
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const bearer = await token(base, tenant.client.client_id, tenant.client.client_secret);
      const programUrl = `${base}/v1/organizations/${tenant.organization_id}/voucher-programs/${programId}`;
      // 10,000 ids to cancel, read from the database (a spread across the program).
      const ids = (await database.db.selectFrom('voucher_codes').select('id').where('program_id', '=', programId).orderBy('code_text').limit(CANCEL).execute()).map((r) => r.id);

      const cancel = await measure(async () => {
        const res = await fetch(`${programUrl}/codes/cancel`, {
          method: 'POST',
          headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
          body: JSON.stringify({ codes: ids }),
        });
        const body = (await res.json()) as { cancelCodeFailures: unknown[] };
        if (res.status !== 200 || body.cancelCodeFailures.length !== 0) throw new Error(`cancel: ${res.status}`);
      });
      const canceled = await database.db.selectFrom('voucher_codes').select((eb) => eb.fn.countAll<number>().as('n')).where('program_id', '=', programId).where('canceled_at', 'is not', null).executeTakeFirstOrThrow();
      if (Number(canceled.n) !== CANCEL) throw new Error(`expected ${CANCEL} canceled, found ${canceled.n}`);

      const exportRun = await measure(async () => {
        const res = await fetch(`${programUrl}/codes`, { headers: { authorization: `Bearer ${bearer}`, accept: 'text/csv' } });
        if (res.status !== 200) throw new Error(`export: ${res.status}`);
        const reader = res.body!.getReader();
        let bytes = 0;
        let lines = 0;
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          bytes += value.byteLength;
          for (let i = 0; i < value.length; i++) if (value[i] === 10) lines++;
        }
        return { bytes, lines };
      });
      if (exportRun.result.lines !== TOTAL + 1) throw new Error(`export: ${exportRun.result.lines} lines for ${TOTAL} codes`);

      return [
        `| ${engine} | setup: ${TOTAL.toLocaleString('en')} codes via Generate | ${secs(gen.ms)} | ${mb(gen.peakRss)} | |`,
        `| ${engine} | cancel ${CANCEL.toLocaleString('en')} codes (1 HTTP call) | ${secs(cancel.ms)} | ${mb(cancel.peakRss)} | +${mb(cancel.peakRss - cancel.startRss)} |`,
        `| ${engine} | CSV export, ${TOTAL.toLocaleString('en')} rows, ${mb(exportRun.result.bytes)} (to last byte) | ${secs(exportRun.ms)} | ${mb(exportRun.peakRss)} | +${mb(exportRun.peakRss - exportRun.startRss)} |`,
      ];
    } finally {
      await app.close();
    }
  } finally {
    await cleanup();
  }
}

const rows: string[] = [];
for (const engine of ENGINES) {
  process.stderr.write(`[${engine}] generating ${TOTAL.toLocaleString('en')} codes, then cancel + export…\n`);
  rows.push(...(await runEngine(engine)));
}
process.stdout.write(
  [
    `Node ${process.version}, ${new Date().toISOString()}`,
    '',
    '| engine | operation | time | peak RSS | RSS growth during the call |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n'),
);
