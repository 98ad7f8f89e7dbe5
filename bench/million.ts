/**
 * G2 (bench/README.md): 1,000,000 codes in one program through one Generate request (a background job,
 * docs/programs.md), on SQLite and PostgreSQL: time from the request to the job's COMPLETED status
 * and the server process's peak RSS, against the engine floor for 1,000,000 rows (COPY on
 * PostgreSQL, one prepared statement in one transaction on SQLite; codes sorted) measured in the same
 * run. Repetitions alternate voucherd and the floor (each on a fresh database) so both see the same
 * machine; the ratio is of the medians.
 * Usage: node --import tsx bench/million.ts [--engines sqlite,postgres] [--codes 1000000] [--reps 5]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { api, bareInsertCodes, createMultiProgram, freshDatabase, header, median, ms, spawnServer, tenantFor, type Engine } from './lib.js';

const { values } = parseArgs({
  options: { engines: { type: 'string', default: 'sqlite,postgres' }, codes: { type: 'string', default: '1000000' }, reps: { type: 'string', default: '5' } },
});
const N = Number(values.codes);
const REPS = Number(values.reps);

/** One Generate request of N codes on a fresh database and server: [ms to COMPLETED, peak RSS MiB]. */
async function oneJob(engine: Engine): Promise<[number, number]> {
  const db = await freshDatabase(engine);
  const server = await spawnServer(db.url, {
    MAX_CODES_PER_REQUEST: String(N),
    MAX_CODES_PER_PROGRAM: String(N + 10),
    GENERATION_POLL_MS: '50',
    ...(process.env.BENCH_CHUNK ? { GENERATION_CHUNK_SIZE: process.env.BENCH_CHUNK } : {}),
  });
  try {
    const bench = await tenantFor(db, server.url);
    const program = await createMultiProgram(bench, 1);
    const started = performance.now();
    const res = await api(bench, 'POST', `/v1/organizations/${bench.org}/voucher-programs/${program}/codes/generate`, { number_of_codes: N });
    if (res.status !== 202) throw new Error(`expected 202, got ${res.status} ${JSON.stringify(res.json)}`);
    const location = `/v1/organizations/${bench.org}/voucher-programs/${program}/codes/generations/${res.json.generation_id}`;
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      const status = await api(bench, 'GET', location);
      if (status.json.status === 'COMPLETED') break;
      if (status.json.status === 'FAILED') throw new Error('generation failed');
    }
    const elapsed = performance.now() - started;
    const rss = server.peakRssMb();
    const { n } = await db.database.db.selectFrom('voucher_codes').select((eb) => eb.fn.countAll<number>().as('n')).where('program_id', '=', program).executeTakeFirstOrThrow();
    if (Number(n) !== N + 1) throw new Error(`expected ${N + 1} rows, found ${n}`);
    return [elapsed, rss];
  } finally {
    await server.stop();
    await db.drop();
  }
}

async function oneFloor(engine: Engine): Promise<number> {
  const db = await freshDatabase(engine);
  try {
    return await bareInsertCodes(db, engine, randomUUID(), randomUUID(), N);
  } finally {
    await db.drop();
  }
}

const rows: string[] = [];
for (const engine of values.engines!.split(',') as Engine[]) {
  header(`G2 ${engine}: ${N} codes in one program, one request, ${REPS} repetitions`);
  const times: number[] = [];
  const floors: number[] = [];
  let rss = 0;
  for (let i = 0; i < REPS; i++) {
    const [elapsed, peak] = await oneJob(engine);
    const f = await oneFloor(engine);
    times.push(elapsed);
    floors.push(f);
    rss = Math.max(rss, peak);
    console.log(`  #${i + 1}: voucherd ${ms(elapsed)} (peak RSS ${peak.toFixed(0)} MiB), floor ${ms(f)}`);
  }
  const t = median(times);
  const f = median(floors);
  console.log(`voucherd (request → COMPLETED), median: ${ms(t)}, highest server peak RSS ${rss.toFixed(0)} MiB`);
  console.log(`engine floor for ${N} rows, median:    ${ms(f)}`);
  console.log(`ratio: ${(t / f).toFixed(2)}×`);
  rows.push(`| G2 ${N.toLocaleString('en')} codes, one request (median of ${REPS}) | ${engine} | ${ms(t)} (peak RSS ${rss.toFixed(0)} MiB) | ${ms(f)} | ${(t / f).toFixed(2)}× |`);
}
console.log('\n| benchmark | engine | voucherd | floor | ratio |\n|---|---|---|---|---|');
for (const r of rows) console.log(r);
process.exit(0);
