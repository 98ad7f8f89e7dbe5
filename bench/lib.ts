import { randomBytes, randomFillSync, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
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

export type Engine = 'sqlite' | 'postgres';
export const PG_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/**
 * One secrets key for every server of a bench run: PostgreSQL refuses to start without one
 * (docs/secrets.md), and servers of one run share a database, so they must share the key.
 */
export const BENCH_SECRETS_KEY = process.env.SECRETS_KEY ?? randomBytes(32).toString('base64');

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export const ms = (n: number) => `${n.toFixed(1)} ms`;

export interface BenchDatabase {
  database: Database;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database of the engine: a temp SQLite file or a new PostgreSQL schema. */
export async function freshDatabase(engine: Engine): Promise<BenchDatabase> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'voucherd-bench-'));
    const url = `sqlite:${join(dir, 'bench.db')}`;
    const database = openDatabase(url);
    await migrateToLatest(database);
    return { database, url, drop: async () => (await database.close(), rmSync(dir, { recursive: true, force: true })) };
  }
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const database = openDatabase(PG_URL, { schema });
  await migrateToLatest(database);
  const u = new URL(PG_URL);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return {
    database,
    url: u.toString(),
    drop: async () => {
      await database.close();
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}

export interface BenchServer {
  url: string;
  ctx: AppContext;
  org: string;
  token: string;
  close(): Promise<void>;
}

/** voucherd on a real port over the given database, with a tenant and a token from the token endpoint. */
export async function startBenchServer(db: BenchDatabase, env: Record<string, string> = {}): Promise<BenchServer> {
  const config = loadConfig({ DATABASE_URL: db.url, DEMO_BOOTSTRAP: 'false', LOG_LEVEL: 'silent', PORT: '0', SECRETS_KEY: BENCH_SECRETS_KEY, ...env });
  const ctx = createContext(config, db.database);
  const app = await buildApp(ctx);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const tenant = await tenantFor(db, url);
  return { ...tenant, ctx, close: () => app.close() };
}

export async function api(server: BenchServer, method: string, path: string, body?: unknown): Promise<{ status: number; json: any; ms: number }> {
  const started = performance.now();
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${server.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = await res.json();
  return { status: res.status, json, ms: performance.now() - started };
}

export async function createMultiProgram(server: BenchServer, codes = 1): Promise<string> {
  const now = Date.now();
  const res = await api(server, 'POST', `/v1/organizations/${server.org}/voucher-programs`, {
    name: 'Bench',
    currency_code: 'USD',
    starts_at: now,
    ends_at: now + 30 * 86_400_000,
    code_scheme: 'MULTI_CODE_SINGLE_REDEEM',
    number_of_codes: codes,
    value_per_trip_max_amount: 20,
  });
  if (res.status !== 200) throw new Error(`create failed: ${JSON.stringify(res.json)}`);
  return res.json.voucher_program_id as string;
}

/** Random codes of the same shape as voucherd's, for floors (not the product's generator). */
export function randomCodes(n: number): string[] {
  const alphabet = '23456789ABCDEFGHJKLMNPQRSTVWXYZ';
  const bytes = new Uint8Array(n * 13);
  randomFillSync(bytes);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let s = '';
    for (let j = 0; j < 13; j++) s += alphabet[bytes[i * 13 + j]! % 31];
    out.push(s);
  }
  return out;
}

export function header(title: string): void {
  process.stdout.write(`\n== ${title}\n`);
}

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';

export const ROOT = join(import.meta.dirname, '..');

let built = false;

/** Builds dist/ once per run (spawned servers run the compiled service, like production). */
export function ensureBuilt(): void {
  if (built && existsSync(join(ROOT, 'dist/cli.js'))) return;
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  built = true;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

export interface SpawnedServer {
  url: string;
  pid: number;
  /** Peak resident set size of the server process so far (VmHWM), in MiB. */
  peakRssMb(): number;
  /** Starts a new peak: the kernel resets VmHWM to the current RSS (`/proc/PID/clear_refs`, value 5). */
  resetPeakRss(): void;
  stop(): Promise<void>;
}

/** `node dist/cli.js serve` as its own process, so its memory is measured alone. */
export async function spawnServer(databaseUrl: string, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<SpawnedServer> {
  ensureBuilt();
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist/cli.js'), 'serve'], {
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, PORT: String(port), DEMO_BOOTSTRAP: 'false', LOG_LEVEL: 'warn', SECRETS_KEY: BENCH_SECRETS_KEY, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  let exitCode: number | null = null;
  const exited = new Promise<void>((resolve) => child.on('exit', (code) => ((exitCode = code ?? -1), resolve())));
  let ready = false;
  for (let i = 0; i < 300 && !ready && exitCode === null; i++) {
    try {
      ready = (await fetch(`${url}/readyz`)).ok;
    } catch {
      // starting
    }
    if (!ready) await new Promise((r) => setTimeout(r, 100));
  }
  // A server that exits or never gets ready would make every figure after it meaningless.
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error(`bench server on ${databaseUrl.split('@').pop()} did not start (exit code ${exitCode ?? 'none, not ready after 30 s'})`);
  }
  return {
    url,
    pid: child.pid!,
    peakRssMb: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
    },
    resetPeakRss: () => writeFileSync(`/proc/${child.pid}/clear_refs`, '5'),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A tenant in `db` and a client_credentials token from the server at `url`. */
export async function tenantFor(db: BenchDatabase, url: string): Promise<BenchServer> {
  const ctx = createContext(loadConfig({ DEMO_BOOTSTRAP: 'false', SECRETS_KEY: BENCH_SECRETS_KEY }), db.database);
  const tenant = await bootstrap(ctx, { orgName: 'Bench', adminEmail: `bench-${randomBytes(4).toString('hex')}@example.com` });
  const res = await fetch(`${url}/oauth/v2/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${tenant.client.client_id}:${tenant.client.client_secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  const token = ((await res.json()) as { access_token: string }).access_token;
  return { url, ctx, org: tenant.organization_id, token, close: async () => undefined };
}

/**
 * The engine floor (bench/README.md/G2/G5): rows inserted into voucher_codes with the fastest bare
 * method — COPY on PostgreSQL, one prepared statement in one transaction on SQLite. Codes and ids
 * are sorted first (ordered keys, as voucherd inserts them). Returns the milliseconds it took.
 */
export async function bareInsertCodes(db: BenchDatabase, engine: Engine, programId: string, organizationId: string, count: number): Promise<number> {
  const codes = randomCodes(count).sort();
  const ids = codes.map(() => randomUUID()).sort();
  const generationId = randomUUID();
  const now = Date.now();
  const columns = 'id, program_id, organization_id, generation_id, code_text, max_num_redemptions, created_at';
  const started = performance.now();
  if (engine === 'sqlite') {
    const sqlite = db.database.sqlite!;
    const statement = sqlite.prepare(`insert into voucher_codes (${columns}) values (?, ?, ?, ?, ?, 1, ?)`);
    sqlite.transaction(() => {
      for (let k = 0; k < count; k++) statement.run(ids[k], programId, organizationId, generationId, codes[k], now);
    })();
  } else {
    const client = await db.database.pool!.connect();
    try {
      async function* lines() {
        for (let k = 0; k < count; k += 10_000) {
          let chunk = '';
          for (let j = k; j < Math.min(count, k + 10_000); j++) chunk += `${ids[j]}\t${programId}\t${organizationId}\t${generationId}\t${codes[j]}\t1\t${now}\n`;
          yield chunk;
        }
      }
      await client.query('begin');
      await pipeline(Readable.from(lines()), client.query(copyFrom(`copy voucher_codes (${columns}) from stdin`)));
      await client.query('commit');
    } finally {
      client.release();
    }
  }
  return performance.now() - started;
}
