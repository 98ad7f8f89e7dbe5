/**
 * G6 (bench/README.md): HTTP overhead — a cheap authenticated GET (Get Voucher Program: bearer token
 * lookup, org-access policy, one program read) vs a bare Fastify route returning the same bytes,
 * each in its own process, driven by autocannon with 50 connections, in the same run. A second
 * floor (bare-db-server.mjs) is a bare Fastify route doing the same two database reads (token with
 * client, program with counter shards): what any design that reads the database per request pays.
 * Usage: node --import tsx bench/overhead.ts [--seconds 10] [--engines sqlite,postgres]
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { api, createMultiProgram, freePort, freshDatabase, header, spawnServer, tenantFor, ROOT, type Engine } from './lib.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, engines: { type: 'string', default: 'sqlite,postgres' } } });
const SECONDS = Number(values.seconds);

function load(url: string, headers: Record<string, string> = {}): Promise<autocannon.Result> {
  return autocannon({ url, connections: 50, duration: SECONDS, headers });
}

async function bareServer(script: string, body: string, env: Record<string, string> = {}): Promise<{ base: string; stop(): void }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'bench', script)], { env: { ...process.env, ...env, PORT: String(port), BARE_BODY: body }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
  return { base: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

const rows: string[] = [];
for (const engine of values.engines!.split(',') as Engine[]) {
  header(`G6 ${engine}: authenticated GET vs bare Fastify, 50 connections, ${SECONDS} s each`);
  const db = await freshDatabase(engine);
  const server = await spawnServer(db.url, { ACCESS_TOKEN_TTL_SECONDS: '3600' });
  try {
    const bench = await tenantFor(db, server.url);
    const program = await createMultiProgram(bench, 1);
    const path = `/v1/organizations/${bench.org}/voucher-programs/${program}`;
    const sample = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${bench.token}` } });
    const body = await sample.text();
    if (sample.status !== 200) throw new Error(body);
    void api;
    const bare = await bareServer('bare-server.mjs', body);
    const bareDb = await bareServer('bare-db-server.mjs', body, { DATABASE_URL: db.url });
    try {
      const auth = { authorization: `Bearer ${bench.token}` };
      const floor = await load(`${bare.base}/bare`);
      const reads = await load(`${bareDb.base}${path}`, auth);
      const ours = await load(`${server.url}${path}`, auth);
      if (ours.non2xx > 0 || reads.non2xx > 0) throw new Error(`${ours.non2xx} / ${reads.non2xx} non-2xx answers`);
      const ratio = ours.requests.average / floor.requests.average;
      const readsRatio = ours.requests.average / reads.requests.average;
      console.log(`bare Fastify:                 ${floor.requests.average.toFixed(0)} req/s, p99 ${floor.latency.p99} ms`);
      console.log(`bare Fastify + the same reads: ${reads.requests.average.toFixed(0)} req/s, p99 ${reads.latency.p99} ms`);
      console.log(`voucherd GET:                 ${ours.requests.average.toFixed(0)} req/s, p99 ${ours.latency.p99} ms`);
      console.log(`ratio: ${(ratio * 100).toFixed(0)}% of the bare route, ${(readsRatio * 100).toFixed(0)}% of the bare route with the same reads`);
      rows.push(`| G6 authenticated GET vs bare Fastify (50 conns) | ${engine} | ${ours.requests.average.toFixed(0)} req/s (p99 ${ours.latency.p99} ms) | ${floor.requests.average.toFixed(0)} req/s | ${(ratio * 100).toFixed(0)}% |`);
      rows.push(`| G6 same, vs bare Fastify doing the same two reads | ${engine} | ${ours.requests.average.toFixed(0)} req/s | ${reads.requests.average.toFixed(0)} req/s | ${(readsRatio * 100).toFixed(0)}% |`);
    } finally {
      bare.stop();
      bareDb.stop();
    }
  } finally {
    await server.stop();
    await db.drop();
  }
}
console.log('\n| benchmark | engine | voucherd | floor | ratio |\n|---|---|---|---|---|');
for (const r of rows) console.log(r);
process.exit(0);
