/**
 * G2 (quality.md): 1,000,000 codes in one program through one Generate request (a background job,
 * api.md §5 item 4), on SQLite and PostgreSQL: time from the request to the job's COMPLETED status
 * and the server process's peak RSS, against the engine floor for 1,000,000 rows (COPY on
 * PostgreSQL, one prepared statement in one transaction on SQLite; codes sorted) measured in the same run.
 * Usage: node --import tsx bench/million.ts [--engines sqlite,postgres] [--codes 1000000]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { api, bareInsertCodes, createMultiProgram, freshDatabase, header, ms, spawnServer, tenantFor, type BenchDatabase, type Engine } from './lib.js';

const { values } = parseArgs({ options: { engines: { type: 'string', default: 'sqlite,postgres' }, codes: { type: 'string', default: '1000000' } } });
const N = Number(values.codes);

async function floor(db: BenchDatabase, engine: Engine): Promise<number> {
  return bareInsertCodes(db, engine, randomUUID(), randomUUID(), N);
}

const rows: string[] = [];
for (const engine of values.engines!.split(',') as Engine[]) {
  header(`G2 ${engine}: ${N} codes in one program, one request`);
  const db = await freshDatabase(engine);
  const server = await spawnServer(db.url, {
    MAX_CODES_PER_REQUEST: String(N),
    MAX_CODES_PER_PROGRAM: String(N + 10),
    GENERATION_POLL_MS: '50',
    ...(process.env.BENCH_CHUNK ? { GENERATION_CHUNK_SIZE: process.env.BENCH_CHUNK } : {}),
  });
  let elapsed = 0;
  let rss = 0;
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
    elapsed = performance.now() - started;
    rss = server.peakRssMb();
    const { n } = await db.database.db.selectFrom('voucher_codes').select((eb) => eb.fn.countAll<number>().as('n')).where('program_id', '=', program).executeTakeFirstOrThrow();
    if (Number(n) !== N + 1) throw new Error(`expected ${N + 1} rows, found ${n}`);
  } finally {
    await server.stop();
    await db.drop();
  }
  const floorDb = await freshDatabase(engine);
  const f = await floor(floorDb, engine);
  await floorDb.drop();
  console.log(`voucherd (request → COMPLETED): ${ms(elapsed)}, server peak RSS ${rss.toFixed(0)} MiB`);
  console.log(`engine floor for ${N} rows:     ${ms(f)}`);
  console.log(`ratio: ${(elapsed / f).toFixed(2)}×`);
  rows.push(`| G2 ${N.toLocaleString('en')} codes, one request | ${engine} | ${ms(elapsed)} (peak RSS ${rss.toFixed(0)} MiB) | ${ms(f)} | ${(elapsed / f).toFixed(2)}× |`);
}
console.log('\n| benchmark | engine | voucherd | floor | ratio |\n|---|---|---|---|---|');
for (const r of rows) console.log(r);
process.exit(0);
