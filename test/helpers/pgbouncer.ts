import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, chmodSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './processes.js';

export interface PgBouncer {
  port: number;
  output(): string;
  stop(): Promise<void>;
}

const CANDIDATES = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer', '/usr/local/bin/pgbouncer'];

/** The pgbouncer binary, or an error that says how to install it (a missing one fails the suite). */
export function pgbouncerBinary(): string {
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error('pgbouncer is not installed: run `apt-get install -y pgbouncer` (.ci/run installs it); the PgBouncer suite cannot run without it');
  return found;
}

/**
 * A real PgBouncer in front of `upstream` (host:port) on a free loopback port, with a generated
 * ini: trust authentication for `user`, the given pool mode, a small server pool so that many
 * client connections share few server connections. Stopped with SIGTERM by its process id.
 */
export async function startPgBouncer(options: {
  upstreamHost: string;
  upstreamPort: number;
  user: string;
  poolMode: 'transaction' | 'session';
  serverPoolSize: number;
  /** Database names clients ask for → the upstream database they reach (default: the same name). */
  aliases?: Record<string, string>;
}): Promise<PgBouncer> {
  const binary = pgbouncerBinary();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'voucherd-pgbouncer-'));
  const ini = join(dir, 'pgbouncer.ini');
  const users = join(dir, 'users.txt');
  writeFileSync(users, `"${options.user}" ""\n`);
  writeFileSync(
    ini,
    [
      '[databases]',
      ...Object.entries(options.aliases ?? {}).map(([name, real]) => `${name} = host=${options.upstreamHost} port=${options.upstreamPort} dbname=${real}`),
      `* = host=${options.upstreamHost} port=${options.upstreamPort}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${users}`,
      `pool_mode = ${options.poolMode}`,
      `default_pool_size = ${options.serverPoolSize}`,
      'max_client_conn = 1000',
      'logfile =',
      'pidfile =',
      '',
    ].join('\n'),
  );
  // PgBouncer refuses to run as root; it then needs -u and files that user can read.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    chmodSync(dir, 0o755);
    chmodSync(ini, 0o644);
    chmodSync(users, 0o644);
  }
  const child: ChildProcess = spawn(binary, [...(asRoot ? ['-u', 'postgres'] : []), ini], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`pgbouncer did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
