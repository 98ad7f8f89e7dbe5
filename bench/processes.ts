/**
 * Several processes (docs/scale-out.md): 1, 2 and 3 `voucherd serve` processes (compiled, each on
 * its own free port) on one PostgreSQL schema. For each count it measures
 *
 *   - generate: 30,000-code Generate requests on distinct programs, a fixed number in flight,
 *     spread round-robin over the processes → codes committed per second;
 *   - claims: 50 concurrent rider clients spread over the processes, each claiming a distinct
 *     code of one MULTI_CODE program → claims/s, p50/p99,
 *
 * and checks the rows (codes per program, vouchers = successful claims = the program's counter).
 * The client offers the same load whatever the process count, so the table shows whether
 * spreading it over more processes (sharing the database, leases and workers) makes it collapse.
 * On a 2-core machine more processes cannot add CPU; the figures are about not collapsing.
 *
 *   node --import tsx bench/processes.ts [--quick]      (≈ 2 minutes; --quick ≈ 1 minute)
 *
 * Writes its table into bench/README.md, section "processes".
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { randomToken, sha256Hex } from '../src/lib/secrets.js';
import { createClient } from '../src/modules/oauth/client.service.js';
import { api, createMultiProgram, freshDatabase, percentile, spawnServer, tenantFor, type BenchServer, type SpawnedServer } from './lib.js';

const quick = process.argv.includes('--quick');
const GENERATE_REQUESTS = quick ? 4 : 9;
const GENERATE_IN_FLIGHT = 3;
const GENERATE_CODES = 30_000;
const CLAIM_SECONDS = quick ? 4 : 10;
const CLAIM_CLIENTS = 50;
const RIDERS = quick ? 5_000 : 12_000;
const SERVER_ENV = { CLAIM_FAILURES_PER_CLIENT: '100000000', CLAIM_FAILURES_PER_RIDER: '100000000', CLAIM_FAILURES_PER_PROGRAM: '100000000' };

interface Row {
  processes: number;
  generateSeconds: number;
  codesPerSecond: number;
  claims: number;
  claimSeconds: number;
  claimsPerSecond: number;
  p50: number;
  p99: number;
  failed: number;
}

async function main(): Promise<void> {
  const db = await freshDatabase('postgres');
  const rows: Row[] = [];
  try {
    // Riders shared by every phase (a rider claims each program once; each phase has its own program).
    const setupServer = await spawnServer(db.url, SERVER_ENV);
    const tenant = await tenantFor(db, setupServer.url);
    await setupServer.stop();
    const riderApp = await createClient(tenant.ctx, { kind: 'THIRD_PARTY', name: 'Bench riders', scopes: ['vouchers.redeem'] });
    const tokens: string[] = [];
    const now = Date.now();
    for (let offset = 0; offset < RIDERS; offset += 1000) {
      const users = [];
      const grants = [];
      for (let i = offset; i < Math.min(RIDERS, offset + 1000); i++) {
        const userId = tenant.ctx.ids.next();
        const token = randomToken();
        tokens.push(token);
        users.push({ id: userId, email: `rider${i}@processes.bench`, password_hash: 'bench-no-login', created_at: now });
        grants.push({ id: tenant.ctx.ids.next(), token_hash: sha256Hex(token), client_id: riderApp.client_id, user_id: userId, grant_type: 'authorization_code', scope: 'vouchers.redeem', expires_at: now + 3_600_000, revoked_at: null, created_at: now });
      }
      await db.database.db.insertInto('users').values(users).execute();
      await db.database.db.insertInto('oauth_tokens').values(grants).execute();
    }

    for (const count of [1, 2, 3]) {
      const servers: SpawnedServer[] = [];
      try {
        for (let i = 0; i < count; i++) servers.push(await spawnServer(db.url, SERVER_ENV));
        const views: BenchServer[] = servers.map((s) => ({ ...tenant, url: s.url }));
        rows.push(await measure(count, views, tokens, db.database));
        const r = rows.at(-1)!;
        process.stdout.write(
          `${count} process(es): generate ${r.codesPerSecond.toFixed(0)} codes/s; claims ${r.claimsPerSecond.toFixed(0)}/s p50 ${r.p50.toFixed(1)} ms p99 ${r.p99.toFixed(1)} ms\n`,
        );
      } finally {
        await Promise.all(servers.map((s) => s.stop()));
      }
    }
  } finally {
    await db.drop();
  }
  const report = render(rows);
  process.stdout.write(`\n${report}\n`);
  writeSection(report);
}

async function measure(count: number, servers: BenchServer[], tokens: string[], database: Awaited<ReturnType<typeof freshDatabase>>['database']): Promise<Row> {
  const db = database.db;
  // Generate: distinct programs, created up front (one code each), then GENERATE_REQUESTS × 30,000.
  const programs: string[] = [];
  for (let i = 0; i < GENERATE_REQUESTS; i++) programs.push(await createMultiProgram(servers[i % count]!, 1));
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: GENERATE_IN_FLIGHT }, async () => {
      for (;;) {
        const i = next++;
        if (i >= programs.length) return;
        const res = await api(servers[i % count]!, 'POST', `/v1/organizations/${servers[0]!.org}/voucher-programs/${programs[i]}/codes/generate`, {
          number_of_codes: GENERATE_CODES,
        });
        if (res.status !== 200) throw new Error(`generate failed: ${res.status} ${JSON.stringify(res.json)}`);
      }
    }),
  );
  const generateSeconds = (performance.now() - started) / 1000;
  for (const p of programs) {
    const n = await db.selectFrom('voucher_codes').select((eb) => eb.fn.countAll<number>().as('n')).where('program_id', '=', p).executeTakeFirstOrThrow();
    if (Number(n.n) !== GENERATE_CODES + 1) throw new Error(`program ${p} has ${n.n} codes, expected ${GENERATE_CODES + 1}`);
  }

  // Claims: one program with a code per rider; client i talks to process i % count.
  const program = await createMultiProgram(servers[0]!, tokens.length);
  const codes = (await db.selectFrom('voucher_codes').select('code_text').where('program_id', '=', program).execute()).map((c) => c.code_text);
  const pools = servers.map((s) => new Pool(s.url, { connections: Math.ceil(CLAIM_CLIENTS / count), pipelining: 1 }));
  const latencies: number[] = [];
  let failed = 0;
  let item = 0;
  const claimStarted = performance.now();
  const deadline = claimStarted + CLAIM_SECONDS * 1000;
  try {
    await Promise.all(
      Array.from({ length: CLAIM_CLIENTS }, async (_, client) => {
        const pool = pools[client % count]!;
        while (performance.now() < deadline) {
          const i = item++;
          if (i >= codes.length) return;
          const t = performance.now();
          const res = await pool.request({
            path: '/v1.2/me/vouchers/redeem',
            method: 'POST',
            headers: { authorization: `Bearer ${tokens[i]}`, 'content-type': 'application/json' },
            body: JSON.stringify({ code_text: codes[i] }),
          });
          await res.body.arrayBuffer();
          latencies.push(performance.now() - t);
          if (res.statusCode !== 200) failed++;
        }
      }),
    );
  } finally {
    await Promise.all(pools.map((p) => p.close()));
  }
  const claimSeconds = (performance.now() - claimStarted) / 1000;
  const vouchers = await db.selectFrom('vouchers').select((eb) => eb.fn.countAll<number>().as('n')).where('program_id', '=', program).executeTakeFirstOrThrow();
  const view = await api(servers[0]!, 'GET', `/v1/organizations/${servers[0]!.org}/voucher-programs/${program}`);
  const succeeded = latencies.length - failed;
  if (Number(vouchers.n) !== succeeded || view.json.usage_voucher_claim_count !== succeeded) {
    throw new Error(`claims: ${succeeded} succeeded, ${vouchers.n} voucher rows, counter ${view.json.usage_voucher_claim_count}`);
  }
  return {
    processes: count,
    generateSeconds,
    codesPerSecond: (GENERATE_REQUESTS * GENERATE_CODES) / generateSeconds,
    claims: latencies.length,
    claimSeconds,
    claimsPerSecond: latencies.length / claimSeconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    failed,
  };
}

function render(rows: Row[]): string {
  const base = rows[0]!;
  return [
    `Measured ${new Date().toISOString().slice(0, 16)}Z, Node ${process.version}, PostgreSQL, ${cpus().length} cores shared by every process (servers, client, database), \`node --import tsx bench/processes.ts${quick ? ' --quick' : ''}\`; load average at the end ${loadavg()[0]!.toFixed(1)}.`,
    '',
    `| processes | generate: ${GENERATE_REQUESTS} × 30,000 codes, ${GENERATE_IN_FLIGHT} in flight | codes/s | vs 1 process | claims (${CLAIM_CLIENTS} clients, ${CLAIM_SECONDS} s) | claims/s | vs 1 process | p50 ms | p99 ms | failed |`,
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.processes} | ${r.generateSeconds.toFixed(1)} s | ${r.codesPerSecond.toFixed(0)} | ${((r.codesPerSecond / base.codesPerSecond) * 100).toFixed(0)}% | ${r.claims} | ${r.claimsPerSecond.toFixed(0)} | ${((r.claimsPerSecond / base.claimsPerSecond) * 100).toFixed(0)}% | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.failed} |`,
    ),
    '',
    'Checked after each row: every program holds its 30,001 codes; voucher rows = successful claims = the program\'s usage_voucher_claim_count.',
  ].join('\n');
}

function writeSection(report: string): void {
  // A --quick smoke run checks the script works; its figures do not replace the recorded ones.
  if (process.argv.includes('--quick')) {
    process.stdout.write('(--quick: bench/README.md left unchanged)\n');
    return;
  }
  const path = join(import.meta.dirname, 'README.md');
  const begin = '<!-- processes:begin -->';
  const end = '<!-- processes:end -->';
  const section = `${begin}\n${report}\n${end}`;
  let text = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  if (text.includes(begin)) {
    text = text.slice(0, text.indexOf(begin)) + section + text.slice(text.indexOf(end) + end.length);
  } else {
    text += `\n## processes\n\nSeveral \`voucherd serve\` processes on one PostgreSQL (docs/scale-out.md): same offered load, 1, 2 and 3 processes.\n\n${section}\n`;
  }
  writeFileSync(path, text);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
