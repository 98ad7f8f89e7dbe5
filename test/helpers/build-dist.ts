import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Tests run voucherd as installed: the CLI tests and every spawned server (startServerProcess in
 * processes.ts) run the built `bin/voucherd.js`, so dist/ is rebuilt (tsc -p tsconfig.build.json)
 * when any file under src/ is newer than dist/cli.js. When dist/ is fresh this costs one walk of
 * src/'s modification times. The engine and fault projects run it as their vitest globalSetup, the
 * soak script calls ensureBuilt() itself; a lock directory makes a second caller wait for the first.
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

/** Rebuilds dist/ when src/ is newer; returns whether it built. */
export async function ensureBuilt(): Promise<boolean> {
  const deadline = Date.now() + 180_000;
  while (!tryLock()) {
    if (Date.now() > deadline) throw new Error(`${LOCK} is held for 3 minutes: remove it if no build is running`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  try {
    if (builtAt() >= newestMtime(join(ROOT, 'src'))) return false;
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
    return true;
  } finally {
    rmdirSync(LOCK);
  }
}

/** vitest globalSetup. */
export default async function setup(): Promise<void> {
  await ensureBuilt();
}
