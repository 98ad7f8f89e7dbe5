import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * vitest globalSetup: the CLI tests run the built `bin/voucherd.js`, so dist/ is rebuilt
 * (tsc -p tsconfig.build.json) when any file under src/ is newer than dist/cli.js. Both engine
 * projects call this; a lock directory makes the second wait for the first.
 */
const ROOT = join(import.meta.dirname, '../..');
const LOCK = join(ROOT, 'dist/.build-lock');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function builtAt(): number {
  try {
    return statSync(join(ROOT, 'dist/cli.js')).mtimeMs;
  } catch {
    return 0;
  }
}

function tryLock(): boolean {
  try {
    mkdirSync(join(ROOT, 'dist'), { recursive: true });
    mkdirSync(LOCK);
    return true;
  } catch {
    return false;
  }
}

export default async function setup(): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (!tryLock()) {
    if (Date.now() > deadline) throw new Error(`${LOCK} is held for 3 minutes: remove it if no build is running`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  try {
    if (builtAt() >= newestMtime(join(ROOT, 'src'))) return;
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  } finally {
    rmdirSync(LOCK);
  }
}
