/**
 * `npm run bench`: every benchmark of bench/README.md in one bounded run (about 10–15 minutes on
 * 2 cores), each printing its figure, the floor measured in the same run, and the ratio.
 * Add --quick for a smaller run (fewer codes and shorter load), e.g. to check the scripts work.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, ROOT } from './lib.js';

const quick = process.argv.includes('--quick');
const runs: [string, string[]][] = [
  ['generate.ts', quick ? ['--reps', '3', '--prefill', '100000'] : ['--reps', '5']],
  ['million.ts', quick ? ['--codes', '200000', '--reps', '1'] : []],
  ['codegen.ts', quick ? ['--count', '200000', '--reps', '3'] : []],
  ['listing.ts', quick ? ['--codes', '200000', '--reps', '1'] : []],
  ['overhead.ts', quick ? ['--seconds', '3'] : ['--seconds', '10']],
];
// Benchmarks owned by other modules join the run when present.
for (const extra of ['claims.ts', 'webhooks.ts', 'cancel-export.ts', 'processes.ts', 'tenant-isolation.ts', 'console-scroll.ts']) {
  if (existsSync(join(ROOT, 'bench', extra))) runs.push([extra, quick ? ['--quick'] : []]);
}

ensureBuilt();
const started = Date.now();
for (const [script, args] of runs) {
  process.stdout.write(`\n######## bench/${script} ${args.join(' ')}\n`);
  execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', script), ...args], { cwd: ROOT, stdio: 'inherit' });
}
process.stdout.write(`\nAll benchmarks done in ${((Date.now() - started) / 60_000).toFixed(1)} min.\n`);
