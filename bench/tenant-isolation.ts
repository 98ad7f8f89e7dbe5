/**
 * docs/limits.md, Concurrency: one tenant floods (concurrent 30,000-code generations on distinct
 * programs plus full exports of a large program) while another tenant reads one program in a
 * loop. Measures the other tenant's GET p50/p99 and the server's peak RSS, with the default limits
 * and with the limits effectively off (the floor, measured in the same run). PostgreSQL by default
 * (--sqlite: better-sqlite3 runs a generation without yielding to the event loop, so requests are
 * already serialized there and the gates rarely see concurrency), compiled server.
 *
 *   node --import tsx bench/tenant-isolation.ts [--quick] [--sqlite]
 */
import { api, createMultiProgram, freshDatabase, percentile, spawnServer, tenantFor, type BenchServer } from './lib.js';

const quick = process.argv.includes('--quick');
const ENGINE = process.argv.includes('--sqlite') ? 'sqlite' : 'postgres';
const GENERATIONS = quick ? 12 : 40;
const EXPORTS = quick ? 6 : 20;
const EXPORT_CODES = quick ? 60_000 : 300_000;
const CODES = 30_000;
const OFF = { GENERATION_CONCURRENCY_PER_ORG: '1000', GENERATION_QUEUE_PER_ORG: '10000', GENERATION_CONCURRENCY: '1000', GENERATION_QUEUE: '10000',
  EXPORT_CONCURRENCY_PER_ORG: '1000', EXPORT_QUEUE_PER_ORG: '10000', EXPORT_CONCURRENCY: '1000', EXPORT_QUEUE: '10000' };

async function fill(server: BenchServer, codes: number): Promise<string> {
  const id = await createMultiProgram(server, Math.min(codes, CODES));
  for (let done = Math.min(codes, CODES); done < codes; done += CODES) {
    await api(server, 'POST', `/v1/organizations/${server.org}/voucher-programs/${id}/codes/generate`, { number_of_codes: Math.min(CODES, codes - done) });
  }
  return id;
}

async function run(label: string, env: Record<string, string>) {
  const db = await freshDatabase(ENGINE);
  const server = await spawnServer(db.url, { MAX_CODES_PER_PROGRAM: '10000000', ...env });
  const flooder = await tenantFor(db, server.url);
  const other = await tenantFor(db, server.url);
  const exported = await fill(flooder, EXPORT_CODES);
  const programs = await Promise.all(Array.from({ length: GENERATIONS }, () => createMultiProgram(flooder, 1)));
  const otherProgram = await createMultiProgram(other, 1);
  server.resetPeakRss();
  let flooding = true;
  const latencies: number[] = [];
  const reader = (async () => {
    while (flooding) latencies.push((await api(other, 'GET', `/v1/organizations/${other.org}/voucher-programs/${otherProgram}`)).ms);
  })();
  const statuses: number[] = [];
  const started = performance.now();
  await Promise.all([
    ...programs.map(async (id) => statuses.push((await api(flooder, 'POST', `/v1/organizations/${flooder.org}/voucher-programs/${id}/codes/generate`, { number_of_codes: CODES })).status)),
    ...Array.from({ length: EXPORTS }, async () => {
      const res = await fetch(`${server.url}/v1/organizations/${flooder.org}/voucher-programs/${exported}/codes`, { headers: { authorization: `Bearer ${flooder.token}` } });
      await res.arrayBuffer();
      statuses.push(res.status);
    }),
  ]);
  const floodMs = performance.now() - started;
  flooding = false;
  await reader;
  const ok = statuses.filter((s) => s === 200).length;
  const refused = statuses.filter((s) => s === 429).length;
  const line = `| ${label} | ${GENERATIONS} × ${CODES} gen + ${EXPORTS} × ${EXPORT_CODES} exports | ${ok} / ${refused} | ${percentile(latencies, 50).toFixed(1)} ms | ${percentile(latencies, 99).toFixed(1)} ms | ${server.peakRssMb().toFixed(0)} MiB | ${(floodMs / 1000).toFixed(1)} s |`;
  process.stdout.write(`${line}\n`);
  await server.stop();
  await db.drop();
}

process.stdout.write('| limits | flood | 200 / 429 | other tenant GET p50 | p99 | peak RSS | flood took |\n|---|---|---|---|---|---|---|\n');
await run('default (on)', {});
await run('off (floor)', OFF);
