/**
 * G3 (bench/README.md): claim throughput and p50/p99 latency at 50 concurrent clients on PostgreSQL,
 * through HTTP with real bearer tokens, next to the floor measured in the same run: a bare
 * conditional UPDATE loop (the statement that decides a claim) on the same table, 50 connections.
 *
 *   node --import tsx bench/claims.ts [--quick]     (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test)
 *
 * Bounded: setup + BENCH_SECONDS (default 40) of HTTP slices alternating with floor slices a
 * quarter as long. Figures are written into
 * bench/README.md, section "claims".
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { Pool } from 'undici';
import { loadConfig } from '../src/config.js';
import { createContext } from '../src/context.js';
import { openDatabase, type Database } from '../src/db/database.js';
import { prepareNamedStatements } from '../src/db/named-statements.js';
import type { DB } from '../src/db/schema.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { randomToken, sha256Hex } from '../src/lib/secrets.js';
import { createClient } from '../src/modules/oauth/client.service.js';
import { bootstrap } from '../src/modules/oauth/bootstrap.service.js';
import { createProgram } from '../src/modules/codes/program-create.service.js';
import { spawnServer, type SpawnedServer } from './lib.js';
import type { RiderPrincipal } from '../src/modules/access/rider-access.js';
import { claimByOneStatement } from '../src/modules/redemption/claim.service.js';
import { withSearchPath } from '../test/helpers/database.js';
import { unitOfWork } from '../src/db/unit-of-work.js';

const BASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SECONDS = Number(process.env.BENCH_SECONDS ?? (process.argv.includes('--quick') ? 8 : 40));
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const CODES = 30_000;
const ROUNDS = 4;

/** BENCH_SERVER_ENV='A=1,B=2' passes extra settings to the server (e.g. DATABASE_POOL_SIZE). */
function serverEnv(): Record<string, string> {
  const raw = process.env.BENCH_SERVER_ENV ?? '';
  return Object.fromEntries(raw.split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Phase {
  count: number;
  seconds: number;
  p50: number;
  p99: number;
  errors: number;
}

/**
 * `CONCURRENCY` workers taking the next item until a slice's time or the items run out. The HTTP
 * path and the floor run in alternating slices so both see the same machine load (the machine is
 * shared; a floor measured minutes apart would not be comparable).
 */
class Runner {
  private next = 0;
  private errors = 0;
  private elapsed = 0;
  private readonly latencies: number[] = [];
  constructor(
    private readonly items: number,
    private readonly work: (i: number) => Promise<boolean>,
  ) {}

  async runFor(seconds: number): Promise<void> {
    const started = performance.now();
    const deadline = started + seconds * 1000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < deadline) {
          const i = this.next++;
          if (i >= this.items) return;
          const t = performance.now();
          const ok = await this.work(i);
          this.latencies.push(performance.now() - t);
          if (!ok) this.errors++;
        }
      }),
    );
    this.elapsed += (performance.now() - started) / 1000;
  }

  result(): Phase {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return { count: sorted.length, seconds: this.elapsed, p50: percentile(sorted, 50), p99: percentile(sorted, 99), errors: this.errors };
  }
}

async function main(): Promise<void> {
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: BASE_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const database = openDatabase(BASE_URL, { schema });
  const url = withSearchPath(BASE_URL, schema);
  let server: SpawnedServer | undefined;
  let httpPool: Pool | undefined;
  const floorPool = new pg.Pool({ connectionString: url, max: CONCURRENCY });
  // The product's statements run as named prepared statements, as openDatabase's pool runs them.
  prepareNamedStatements(floorPool);
  // The statement phase reuses the floor's 50 connections (the phases never overlap; two pools of
  // 50 would exceed the server's max_connections next to the service's own pool).
  const statementDb: Database = { db: new Kysely<DB>({ dialect: new PostgresDialect({ pool: floorPool }) }), dialect: 'postgres', close: async () => undefined };
  try {
    await migrateToLatest(database);
    const ctx = createContext(loadConfig({ DEMO_BOOTSTRAP: 'false' }), database);
    const tenant = await bootstrap(ctx, { orgName: 'Bench', adminEmail: 'bench@example.com', adminPassword: 'correct horse battery staple' });
    const riderApp = await createClient(ctx, { kind: 'THIRD_PARTY', name: 'Bench riders', scopes: ['vouchers.redeem'] });
    const now = Date.now();
    const body = { name: 'Bench', currency_code: 'USD', starts_at: now - 60_000, ends_at: now + 86_400_000, code_scheme: 'MULTI_CODE_SINGLE_REDEEM', number_of_codes: CODES, value_per_trip_max_amount: 20 };
    const http = await createProgram(ctx, { organizationId: tenant.organization_id, clientId: null, body }, unitOfWork(ctx.database));
    const floor = await createProgram(ctx, { organizationId: tenant.organization_id, clientId: null, body: { ...body, name: 'Floor' } }, unitOfWork(ctx.database));
    const direct = await createProgram(ctx, { organizationId: tenant.organization_id, clientId: null, body: { ...body, name: 'Statement' } }, unitOfWork(ctx.database));
    const codesOf = async (programId: string) =>
      (await database.db.selectFrom('voucher_codes').select(['id', 'code_text']).where('program_id', '=', programId).execute());
    const httpCodes = await codesOf(http.voucher_program_id);
    const floorCodes = await codesOf(floor.voucher_program_id);
    const directCodes = await codesOf(direct.voucher_program_id);

    // One rider per code (a rider claims a program once). Rows inserted in bulk; tokens are real
    // opaque tokens stored as SHA-256 exactly as the token service stores them.
    const tokens: string[] = [];
    const userIds: string[] = [];
    for (let offset = 0; offset < CODES; offset += 1000) {
      const users = [];
      const rows = [];
      for (let i = offset; i < Math.min(CODES, offset + 1000); i++) {
        const userId = ctx.ids.next();
        const token = randomToken();
        tokens.push(token);
        userIds.push(userId);
        users.push({ id: userId, email: `rider${i}@bench.example`, password_hash: 'bench-no-login', created_at: now });
        rows.push({ id: ctx.ids.next(), token_hash: sha256Hex(token), client_id: riderApp.client_id, user_id: userId, grant_type: 'authorization_code', scope: 'vouchers.redeem', expires_at: now + 3_600_000, revoked_at: null, created_at: now });
      }
      await database.db.insertInto('users').values(users).execute();
      await database.db.insertInto('oauth_tokens').values(rows).execute();
    }

    // The compiled service (dist/), like production. BENCH_CPU_PROF=<dir> writes a V8 CPU profile
    // of the server process there when it stops (node --cpu-prof).
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
    server = await spawnServer(url, { CLAIM_FAILURES_PER_CLIENT: '100000000', CLAIM_FAILURES_PER_RIDER: '100000000', CLAIM_FAILURES_PER_PROGRAM: '100000000', ...serverEnv() }, profile);
    // undici's Pool (keep-alive, one connection per client) rather than fetch: the client shares
    // the 2 cores with the server, and fetch's per-request CPU cost taxed the server's share.
    httpPool = new Pool(server.url, { connections: CONCURRENCY, pipelining: 1 });
    const client = httpPool;
    const claim = async (i: number) => {
      const res = await client.request({
        path: '/v1.2/me/vouchers/redeem',
        method: 'POST',
        headers: { authorization: `Bearer ${tokens[i]}`, 'content-type': 'application/json' },
        body: JSON.stringify({ code_text: httpCodes[i]!.code_text }),
      });
      await res.body.arrayBuffer();
      return res.statusCode === 200;
    };
    const sql =
      'update voucher_codes set redemption_count = redemption_count + 1 where id = $1 and canceled_at is null and redemption_count < max_num_redemptions returning redemption_count';
    await Promise.all(Array.from({ length: CONCURRENCY }, () => floorPool.query('select 1')));
    const httpRunner = new Runner(CODES, claim);
    // The floor is a named prepared statement too (parsed and planned once per connection): the fastest bare form.
    const floorRunner = new Runner(CODES, async (i) => (await floorPool.query({ name: 'bench_floor', text: sql, values: [floorCodes[i]!.id] })).rowCount === 1);
    // The product's claim statement alone (claim-statement.repository.ts) on 50 connections, no
    // HTTP: how much of the gap is the database work of a claim and how much the HTTP service around it.
    const rider = (i: number): RiderPrincipal => ({
      tokenId: 'bench',
      clientId: riderApp.client_id,
      clientKind: 'THIRD_PARTY',
      clientOrganizationId: null,
      userId: userIds[i]!,
      grantType: 'authorization_code',
      scopes: new Set(['vouchers.redeem']),
    });
    const statementCtx = createContext(loadConfig({ DEMO_BOOTSTRAP: 'false', CLAIM_FAILURES_PER_CLIENT: '100000000', CLAIM_FAILURES_PER_RIDER: '100000000', CLAIM_FAILURES_PER_PROGRAM: '100000000' }), statementDb);
    const statementRunner = new Runner(CODES, async (i) => (await claimByOneStatement(statementCtx, rider(i), directCodes[i]!.code_text, Date.now())) !== undefined);
    await httpRunner.runFor(1); // warm-up slice, counted
    for (let round = 0; round < ROUNDS; round++) {
      await httpRunner.runFor(SECONDS / ROUNDS);
      await floorRunner.runFor(SECONDS / (ROUNDS * 4));
      await statementRunner.runFor(SECONDS / (ROUNDS * 4));
    }
    const httpPhase = httpRunner.result();
    const floorPhase = floorRunner.result();
    const statementPhase = statementRunner.result();

    const claimed = await database.db.selectFrom('vouchers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const report = render(httpPhase, statementPhase, floorPhase, Number(claimed.n));
    process.stdout.write(report + '\n');
    writeSection(report);
  } finally {
    await httpPool?.close();
    await server?.stop();
    await floorPool.end();
    await database.close();
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
}

function render(http: Phase, statement: Phase, floor: Phase, vouchers: number): string {
  const rate = (p: Phase) => p.count / p.seconds;
  const row = (name: string, p: Phase) =>
    `| ${name} | ${p.count} | ${p.seconds.toFixed(1)} | ${rate(p).toFixed(0)} | ${p.p50.toFixed(1)} | ${p.p99.toFixed(1)} | ${p.errors} |`;
  return [
    `Measured ${new Date().toISOString().slice(0, 16)}Z, Node ${process.version}, ${CONCURRENCY} concurrent clients, PostgreSQL, one run (\`node --import tsx bench/claims.ts\`), machine load average at the end ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores.`,
    '',
    '| phase | claims | seconds | claims/s | p50 ms | p99 ms | failed |',
    '|---|---:|---:|---:|---:|---:|---:|',
    row('HTTP `POST /v1.2/me/vouchers/redeem` (bearer auth; on PostgreSQL token lookup + one claim statement), one `voucherd serve`', http),
    row('the claim statement alone (claim-statement.repository.ts: CTE with budgets, slot, voucher, counter shard, outbox), 50 connections, no HTTP', statement),
    row('floor: bare conditional `UPDATE voucher_codes … RETURNING`, 50 connections', floor),
    '',
    `HTTP throughput is ${((rate(http) / rate(floor)) * 100).toFixed(1)}% of the floor; the claim statement alone is ${((rate(statement) / rate(floor)) * 100).toFixed(1)}% of it. Voucher rows after the run: ${vouchers} (= successful claims of the HTTP and statement phases).`,
  ].join('\n');
}

function writeSection(report: string): void {
  // A --quick smoke run checks the script works; its figures do not replace the recorded ones.
  if (process.argv.includes('--quick')) {
    process.stdout.write('(--quick: bench/README.md left unchanged)\n');
    return;
  }
  const path = join(import.meta.dirname, 'README.md');
  const begin = '<!-- claims:begin -->';
  const end = '<!-- claims:end -->';
  const section = `${begin}\n${report}\n${end}`;
  let text = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  if (text.includes(begin)) {
    text = text.slice(0, text.indexOf(begin)) + section + text.slice(text.indexOf(end) + end.length);
  } else {
    text += `\n## claims\n\nG3 (bench/README.md): claim throughput and latency on PostgreSQL through HTTP, next to the floor.\n\n${section}\n`;
  }
  writeFileSync(path, text);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
