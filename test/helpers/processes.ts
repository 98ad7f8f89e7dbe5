import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { TEST_SECRETS_KEY } from './database.js';

export const ROOT = join(import.meta.dirname, '../..');

/**
 * Admission gates opened wide (docs/limits.md, Concurrency): for tests whose parallel generations
 * must all reach the database, because what they check lies behind the gates.
 */
export const OPEN_ADMISSION: Record<string, string> = {
  GENERATION_CONCURRENCY_PER_ORG: '100',
  GENERATION_QUEUE_PER_ORG: '100',
  GENERATION_CONCURRENCY: '100',
  GENERATION_QUEUE: '100',
};

/** A free TCP port on loopback (ask the OS, then release it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The shared test key unless the test picks its own (SECRETS_KEY: '' asks for none). */
export function testKey(env: Record<string, string>): Record<string, string> {
  return 'SECRETS_KEY' in env || 'SECRETS_KEY_FILE' in env ? {} : { SECRETS_KEY: TEST_SECRETS_KEY };
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** stdout and stderr interleaved. */
  output(): string;
  stdout(): string;
  stderr(): string;
  /** Sends `signal` (SIGTERM by default; SIGKILL for a crash) and resolves with the exit code; SIGKILL after `killAfterMs` if given. */
  stop(signal?: NodeJS.Signals, killAfterMs?: number): Promise<number | null>;
}

/**
 * Starts a real `voucherd serve` process on a free port and waits until /readyz answers. It runs the
 * installed command, `bin/voucherd.js` over the built dist/, which the project's globalSetup
 * (build-dist.ts) rebuilds when src/ is newer.
 */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  if (!existsSync(join(ROOT, 'dist/cli.js'))) throw new Error('dist/ is not built: run the test through a vitest project with test/helpers/build-dist.ts as globalSetup, or call its ensureBuilt()');
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'bin/voucherd.js'), 'serve'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DEMO_BOOTSTRAP: 'false',
      ...testKey(env),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    output += d;
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    output += d;
    stderr += d;
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`voucherd exited early (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`voucherd did not become ready:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    output: () => output,
    stdout: () => stdout,
    stderr: () => stderr,
    stop: async (signal = 'SIGTERM', killAfterMs?: number) => {
      if (child.exitCode === null) child.kill(signal);
      const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Polls `check` until it returns a value (or throws after `attempts`). For waiting on another process. */
export async function waitFor<T>(check: () => Promise<T | undefined | null | false>, what: string, attempts = 300, everyMs = 100): Promise<T> {
  for (let i = 0; i < attempts; i += 1) {
    const value = await check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}
