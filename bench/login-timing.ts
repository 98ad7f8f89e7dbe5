/**
 * Login timing: an unknown email and a wrong password must cost the same (both run one
 * scrypt). Prints the median time of each over N attempts and their ratio. Not a test: timing
 * goals live in bench/ (docs/architecture.md). Run: node --import tsx bench/login-timing.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { createContext } from '../src/context.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { login } from '../src/modules/oauth/authorize/login.service.js';
import { createUser } from '../src/modules/orgs/org.service.js';

const N = Number(process.argv[2] ?? 20);
const dir = mkdtempSync(join(tmpdir(), 'voucherd-bench-'));
const database = openDatabase(`sqlite:${join(dir, 'bench.db')}`);
await migrateToLatest(database);
// A high failure budget so the limiter never answers early during the benchmark.
const ctx = createContext(loadConfig({ DEMO_BOOTSTRAP: 'false', LOGIN_MAX_FAILURES: '1000' }), database);
await createUser(ctx, { email: 'known@example.com', password: 'correct horse battery staple' });

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}
const median = (times: number[]) => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;

await login(ctx, 'warmup@example.com', 'x', '10.0.0.1');
// Interleaved, so machine load drifts affect both series alike.
const series = { unknown: [] as number[], wrong: [] as number[], right: [] as number[] };
for (let i = 0; i < N; i += 1) {
  series.unknown.push(await time(() => login(ctx, `nobody${i}@example.com`, 'wrong password', `10.0.1.${i % 250}`)));
  series.wrong.push(await time(() => login(ctx, 'known@example.com', `wrong password ${i}`, `10.0.2.${i % 250}`)));
  series.right.push(await time(() => login(ctx, 'known@example.com', 'correct horse battery staple', '10.0.3.1')));
}
const [unknown, wrong, right] = [median(series.unknown), median(series.wrong), median(series.right)];
console.log(`login median over ${N}: unknown user ${unknown.toFixed(1)} ms, wrong password ${wrong.toFixed(1)} ms, right password ${right.toFixed(1)} ms`);
console.log(`ratio unknown/wrong = ${(unknown / wrong).toFixed(3)} (floor: 1.0 means indistinguishable)`);
await database.close();
rmSync(dir, { recursive: true, force: true });
