import type { ChildProcess } from 'node:child_process';
import { startServerProcess } from './processes.js';

export { freePort } from './processes.js';

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
}

/** A real `voucherd serve` child process, ready when /readyz answers (see processes.ts); killed with SIGKILL. */
export async function spawnServer(env: Record<string, string>): Promise<ServerProcess> {
  const server = await startServerProcess(env);
  return {
    child: server.child,
    url: server.url,
    output: server.output,
    kill: async () => {
      await server.stop('SIGKILL');
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
