/**
 * G1 (bench/README.md): Generate 30,000 codes end-to-end over HTTP (request sent → 200 with codes
 * committed), on SQLite and PostgreSQL, against floors measured in the same run:
 *   - engine floor: a bare script inserting 30,000 random codes into an identical table (the real
 *     voucher_codes table of a fresh database) with the fastest method — COPY on PostgreSQL, one
 *     prepared statement in one transaction on SQLite; codes sorted first, as voucherd sorts its batches;
 *   - one-round-trip-per-code baseline: check-then-insert per code (how open-source coupon engines
 *     insert), measured on 3,000 codes and compared as codes/second.
 * Requests and floor inserts alternate, one of each per repetition.
 * Then the same request and floor again with --prefill (default 1,000,000) codes of another program
 * already in the table (a bare insert, before the clocks start).
 * Usage: node --import tsx bench/generate.ts [--reps 5] [--engines sqlite,postgres] [--prefill 1000000]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { api, bareInsertCodes, createMultiProgram, freshDatabase, header, median, ms, randomCodes, startBenchServer, type Engine } from './lib.js';

const { values } = parseArgs({
  options: { reps: { type: 'string', default: '5' }, engines: { type: 'string', default: 'sqlite,postgres' }, prefill: { type: 'string', default: '1000000' } },
});
const REPS = Number(values.reps);
const PREFILL = Number(values.prefill);
const N = 30_000;
const BASELINE_N = 3_000;

/**
 * REPS Generate requests against a server on one fresh database and REPS bare floor inserts into a
 * second fresh database (each with `prefill` codes of another program first), alternating request
 * and floor so both see the same machine minutes. Returns [request times, floor times].
 */
async function generateAndFloor(engine: Engine, prefill = 0): Promise<[number[], number[]]> {
  const db = await freshDatabase(engine);
  const floorDb = await freshDatabase(engine);
  if (prefill > 0) {
    await bareInsertCodes(db, engine, randomUUID(), randomUUID(), prefill);
    await bareInsertCodes(floorDb, engine, randomUUID(), randomUUID(), prefill);
  }
  const server = await startBenchServer(db);
  try {
    const program = await createMultiProgram(server);
    const floorProgram = randomUUID();
    const floorOrg = randomUUID();
    const times: number[] = [];
    const floors: number[] = [];
    for (let i = 0; i < REPS; i++) {
      const res = await api(server, 'POST', `/v1/organizations/${server.org}/voucher-programs/${program}/codes/generate`, { number_of_codes: N });
      if (res.status !== 200) throw new Error(JSON.stringify(res.json));
      times.push(res.ms);
      floors.push(await bareInsertCodes(floorDb, engine, floorProgram, floorOrg, N));
    }
    return [times, floors];
  } finally {
    await server.close();
    await db.drop();
    await floorDb.drop();
  }
}

/** Check-then-insert, one round trip each, BASELINE_N codes: returns codes per second. */
async function baseline(engine: Engine): Promise<number> {
  const db = await freshDatabase(engine);
  const program = randomUUID();
  const org = randomUUID();
  try {
    const codes = randomCodes(BASELINE_N);
    const started = performance.now();
    for (const code of codes) {
      const exists = await db.database.db.selectFrom('voucher_codes').select('id').where('code_text', '=', code).executeTakeFirst();
      if (exists) continue;
      await db.database.db
        .insertInto('voucher_codes')
        .values({ id: randomUUID(), program_id: program, organization_id: org, generation_id: null, code_text: code, max_num_redemptions: 1, created_at: Date.now() })
        .execute();
    }
    return BASELINE_N / ((performance.now() - started) / 1000);
  } finally {
    await db.drop();
  }
}

const rows: string[] = [];
for (const engine of values.engines!.split(',') as Engine[]) {
  header(`G1 ${engine}: ${N} codes, ${REPS} repetitions`);
  const [http, bare] = await generateAndFloor(engine);
  const perCode = await baseline(engine);
  const h = median(http);
  const f = median(bare);
  const httpRate = N / (h / 1000);
  console.log(`HTTP generate (median): ${ms(h)}   [${http.map((t) => t.toFixed(0)).join(', ')}]`);
  console.log(`engine floor  (median): ${ms(f)}   [${bare.map((t) => t.toFixed(0)).join(', ')}]  (${engine === 'sqlite' ? 'prepared statement, one transaction' : 'COPY'})`);
  console.log(`ratio HTTP / floor:     ${(h / f).toFixed(2)}×`);
  console.log(`one-round-trip-per-code baseline: ${perCode.toFixed(0)} codes/s; voucherd: ${httpRate.toFixed(0)} codes/s → ${(httpRate / perCode).toFixed(1)}× faster`);
  rows.push(`| G1 generate 30,000 over HTTP | ${engine} | ${ms(h)} | ${ms(f)} | ${(h / f).toFixed(2)}× | ${perCode.toFixed(0)} codes/s | ${(httpRate / perCode).toFixed(1)}× |`);
  if (PREFILL > 0) {
    const [httpFull, bareFull] = await generateAndFloor(engine, PREFILL);
    const hf = median(httpFull);
    const ff = median(bareFull);
    console.log(`with ${PREFILL} codes already in the table:`);
    console.log(`  HTTP generate (median): ${ms(hf)}   [${httpFull.map((t) => t.toFixed(0)).join(', ')}]`);
    console.log(`  engine floor  (median): ${ms(ff)}   [${bareFull.map((t) => t.toFixed(0)).join(', ')}]`);
    console.log(`  ratio HTTP / floor:     ${(hf / ff).toFixed(2)}×`);
    rows.push(`| G1 same, ${PREFILL.toLocaleString('en')} codes already in the table | ${engine} | ${ms(hf)} | ${ms(ff)} | ${(hf / ff).toFixed(2)}× | | |`);
  }
}
console.log('\n| benchmark | engine | voucherd (median) | floor (median) | ratio | per-code baseline | speed-up |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
process.exit(0);
