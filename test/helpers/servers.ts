import type { ChildProcess } from 'node:child_process';
import { startServerProcess } from './processes.js';

export { freePort } from './processes.js';

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** A real `voucherd serve` on `databaseUrl` (see processes.ts); `stop` sends SIGTERM, SIGKILL after 10 s. */
export async function startServe(databaseUrl: string, env: Record<string, string> = {}): Promise<ServeProcess> {
  const server = await startServerProcess({ DATABASE_URL: databaseUrl, ...env });
  return {
    url: server.url,
    child: server.child,
    stop: async () => {
      const timer = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
      await server.stop('SIGTERM');
      clearTimeout(timer);
    },
  };
}
