/**
 * G5 (bench/README.md): GET …/codes of a 1,000,000-code program, as JSON (Uber parity: whole list,
 * streamed) and as CSV: time to last byte and the server process's peak RSS, against a bare
 * query-and-serialize floor (one query for every row, JSON.stringify per row, in the bench process)
 * measured in the same run. Repetitions alternate JSON, CSV and the floor; figures are medians.
 * Usage: node --import tsx bench/listing.ts [--engines sqlite,postgres] [--codes 1000000] [--reps 5]
 */
import { parseArgs } from 'node:util';
import { bareInsertCodes, createMultiProgram, freshDatabase, header, median, ms, spawnServer, tenantFor, type BenchDatabase, type Engine } from './lib.js';

const { values } = parseArgs({
  options: { engines: { type: 'string', default: 'sqlite,postgres' }, codes: { type: 'string', default: '1000000' }, reps: { type: 'string', default: '5' } },
});
const N = Number(values.codes);
const REPS = Number(values.reps);

/** Fills a program with N codes fast (bench setup, not what is measured) and fixes its total. */
async function fill(db: BenchDatabase, engine: Engine, programId: string, org: string): Promise<void> {
  await bareInsertCodes(db, engine, programId, org, N);
  await db.database.db.updateTable('voucher_programs').set({ total_number_of_codes: N + 1 }).where('id', '=', programId).execute();
  // voucherd analyzes after its own large batches (src/db/statistics.ts); this bypass does the same.
  if (engine === 'postgres') await db.database.pool!.query('analyze voucher_codes');
}

async function timeToLastByte(url: string, token: string, accept: string): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept } });
  if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
  let bytes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
  return { ms: performance.now() - started, bytes };
}

async function floor(db: BenchDatabase, programId: string): Promise<number> {
  const started = performance.now();
  const rows = await db.database.db
    .selectFrom('voucher_codes')
    .select(['id', 'code_text', 'max_num_redemptions', 'redemption_count', 'canceled_at', 'created_at', 'generation_id'])
    .where('program_id', '=', programId)
    .orderBy('id')
    .execute();
  let bytes = 0;
  for (const row of rows) bytes += JSON.stringify(row).length;
  if (bytes === 0) throw new Error('nothing serialized');
  return performance.now() - started;
}

const rows: string[] = [];
for (const engine of values.engines!.split(',') as Engine[]) {
  header(`G5 ${engine}: list ${N} codes`);
  const db = await freshDatabase(engine);
  const server = await spawnServer(db.url);
  try {
    const bench = await tenantFor(db, server.url);
    const program = await createMultiProgram(bench, 1);
    await fill(db, engine, program, bench.org);
    const url = `${server.url}/v1/organizations/${bench.org}/voucher-programs/${program}/codes`;
    const jsons: number[] = [];
    const csvs: number[] = [];
    const floors: number[] = [];
    // Peak RSS per request (the kernel's peak is reset before each), highest over the repetitions:
    // it includes whatever the process still holds from the requests before.
    let rssJson = 0;
    let rss = 0;
    let bytesJson = 0;
    let bytesCsv = 0;
    for (let i = 0; i < REPS; i++) {
      server.resetPeakRss();
      const json = await timeToLastByte(url, bench.token, 'application/json');
      rssJson = Math.max(rssJson, server.peakRssMb());
      server.resetPeakRss();
      const csv = await timeToLastByte(url, bench.token, 'text/csv');
      rss = Math.max(rss, server.peakRssMb());
      const f = await floor(db, program);
      jsons.push(json.ms);
      csvs.push(csv.ms);
      floors.push(f);
      bytesJson = json.bytes;
      bytesCsv = csv.bytes;
      console.log(`  #${i + 1}: JSON ${ms(json.ms)}, CSV ${ms(csv.ms)}, floor ${ms(f)}`);
    }
    const [json, csv, f] = [median(jsons), median(csvs), median(floors)];
    console.log(`JSON (median of ${REPS}): ${ms(json)} (${(bytesJson / 1e6).toFixed(0)} MB), server peak RSS ${rssJson.toFixed(0)} MiB (highest per-request peak)`);
    console.log(`CSV  (median of ${REPS}): ${ms(csv)} (${(bytesCsv / 1e6).toFixed(0)} MB), server peak RSS ${rss.toFixed(0)} MiB`);
    console.log(`floor (one query + JSON.stringify per row, unbounded memory), median: ${ms(f)}`);
    console.log(`ratios: JSON ${(json / f).toFixed(2)}×, CSV ${(csv / f).toFixed(2)}×`);
    rows.push(`| G5 GET codes, ${N.toLocaleString('en')} (JSON), median of ${REPS} | ${engine} | ${ms(json)} (peak RSS ${rssJson.toFixed(0)} MiB) | ${ms(f)} | ${(json / f).toFixed(2)}× |`);
    rows.push(`| G5 GET codes, ${N.toLocaleString('en')} (CSV), median of ${REPS} | ${engine} | ${ms(csv)} (peak RSS ${rss.toFixed(0)} MiB) | ${ms(f)} | ${(csv / f).toFixed(2)}× |`);
  } finally {
    await server.stop();
    await db.drop();
  }
}
console.log('\n| benchmark | engine | voucherd | floor | ratio |\n|---|---|---|---|---|');
for (const r of rows) console.log(r);
process.exit(0);
