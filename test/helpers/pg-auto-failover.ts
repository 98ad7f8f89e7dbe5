import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './processes.js';

/**
 * A real pg_auto_failover formation (Debian's postgresql-15-auto-failover): a monitor, a primary and
 * a standby, each its own `pg_autoctl … --run` keeper with its own PostgreSQL 15 data directory in
 * one temporary directory, on free loopback ports, trust authentication, no SSL. pg_autoctl refuses
 * to run as root, so when the tests run as root every keeper runs as the `postgres` OS user.
 * docs/postgres-topologies.md, "Failover".
 */

export const PG_AUTOCTL = '/usr/bin/pg_autoctl';
const PG_BIN = '/usr/lib/postgresql/15/bin';
const DATABASE = 'voucherd';

/** The pg_autoctl binary, or an error that says how to install it (a missing one fails the suite, never skips it). */
export function pgAutoctlBinary(): string {
  if (!existsSync(PG_AUTOCTL) || !existsSync(join(PG_BIN, 'pg_ctl'))) {
    throw new Error(
      `pg_autoctl is not installed: run \`apt-get install -y postgresql-15-auto-failover\` (.ci/run installs it); the failover suite needs ${PG_AUTOCTL} and ${PG_BIN}/pg_ctl`,
    );
  }
  return PG_AUTOCTL;
}

export interface DataNode {
  name: string;
  port: number;
  pgdata: string;
}

interface Keeper {
  child: ChildProcess;
  exited: Promise<void>;
}

export interface Formation {
  /** Both data nodes, `postgres://postgres@127.0.0.1:p1,127.0.0.1:p2/voucherd?target_session_attrs=read-write`. */
  url: string;
  /** A single-host URL of one data node. */
  nodeUrl(node: DataNode): string;
  nodes: readonly DataNode[];
  /** The data node that is primary now: not in recovery and reported `primary` by the monitor. */
  currentPrimary(): Promise<DataNode>;
  /** Waits until the monitor reports one primary and one secondary. */
  waitHealthy(timeoutMs?: number): Promise<DataNode>;
  /** `pg_autoctl perform switchover`: a planned promotion of the standby (resolves when it is done). */
  switchover(): Promise<void>;
  /** SIGKILL the primary's keeper and its PostgreSQL: the monitor promotes the standby. Returns the killed node. */
  crashPrimary(): Promise<DataNode>;
  /** Starts a crashed node's keeper again: it rejoins as the standby. */
  restart(node: DataNode): void;
  /** synchronous_standby_names and synchronous_commit of the current primary. */
  replicationSettings(): Promise<{ synchronousStandbyNames: string; synchronousCommit: string }>;
  /** Everything the keepers printed, for failure messages. */
  output(): string;
  /** Kills every process of the formation and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

const asRoot = process.getuid?.() === 0;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Runs the statements one by one on a short-lived connection; the rows of the last one. */
async function query<T extends pg.QueryResultRow>(url: string, ...statements: string[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    let rows: T[] = [];
    for (const text of statements) rows = (await client.query<T>(text)).rows;
    return rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Starts the formation and resolves once the monitor reports a primary and a secondary. Any
 * failure on the way stops what was started.
 */
export async function startFormation(): Promise<Formation> {
  const binary = pgAutoctlBinary();
  const dir = mkdtempSync(join(tmpdir(), 'voucherd-paf-'));
  const owner = asRoot ? (() => {
    const [uid, gid] = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .map((l) => l.split(':'))
      .filter((f) => f[0] === 'postgres')
      .map((f) => [Number(f[2]), Number(f[3])])[0] ?? [];
    if (uid === undefined || gid === undefined) throw new Error('running as root: the failover suite needs a `postgres` OS user to run pg_autoctl as');
    return { uid, gid };
  })() : undefined;
  // pg_autoctl keeps its state and config under XDG directories: keep them inside `dir` too.
  for (const sub of ['config', 'share', 'run']) mkdirSync(join(dir, sub));
  if (owner) for (const sub of ['', 'config', 'share', 'run']) chownSync(join(dir, sub), owner.uid, owner.gid);
  const env = {
    PATH: `${PG_BIN}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_DATA_HOME: join(dir, 'share'),
    XDG_RUNTIME_DIR: join(dir, 'run'),
  };
  const command = (args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), binary, ...args]] : [binary, args];

  let output = '';
  const keepers = new Map<string, Keeper>();
  const ports: number[] = [];
  const startKeeper = (name: string, args: string[]): void => {
    const [file, argv] = command(args);
    // Its own process group: stop() and crashPrimary() kill the keeper with every child it started.
    const child = spawn(file, argv, { cwd: dir, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => (output += `[${name}] ${d}`));
    child.stderr!.on('data', (d) => (output += `[${name}] ${d}`));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    keepers.set(name, { child, exited });
  };
  const run = async (args: string[]): Promise<string> => {
    const [file, argv] = command(args);
    const { stdout, stderr } = await promisify(execFile)(file, argv, { cwd: dir, env: { ...process.env, ...env }, timeout: 120_000 });
    output += `[${args.slice(0, 2).join(' ')}] ${stdout}${stderr}`;
    return stdout;
  };
  const common = ['--auth', 'trust', '--no-ssl', '--ssl-mode', 'disable', '--hostname', '127.0.0.1', '--pgctl', join(PG_BIN, 'pg_ctl')];

  const monitorPort = await freePort();
  ports.push(monitorPort);
  const monitorData = join(dir, 'monitor');
  const monitorUrl = `postgres://postgres@127.0.0.1:${monitorPort}/pg_auto_failover`;
  const autoctlMonitorUrl = `postgres://autoctl_node@127.0.0.1:${monitorPort}/pg_auto_failover?sslmode=disable`;
  const nodes: DataNode[] = [];
  const nodeArgs = new Map<string, string[]>();

  const killGroup = (keeper: Keeper | undefined): void => {
    if (!keeper?.child.pid) return;
    try {
      process.kill(-keeper.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  /** The postmaster of a data directory, killed by the pid in its postmaster.pid. */
  const killPostmaster = (pgdata: string): void => {
    try {
      const pid = Number(readFileSync(join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, 'SIGKILL');
    } catch {
      // not running
    }
  };
  const nodeUrl = (node: DataNode) => `postgres://postgres@127.0.0.1:${node.port}/${DATABASE}`;

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    for (const keeper of keepers.values()) killGroup(keeper);
    for (const data of [monitorData, ...nodes.map((n) => n.pgdata)]) killPostmaster(data);
    await Promise.race([Promise.all([...keepers.values()].map((k) => k.exited)), sleep(5000)]);
    // Backends of a SIGKILLed postmaster exit on their own; give them a moment before removing files.
    await sleep(200);
    rmSync(dir, { recursive: true, force: true });
    // PostgreSQL's sockets for our ports, left behind by SIGKILL (Debian's socket directory).
    for (const port of ports) for (const suffix of ['', '.lock']) rmSync(`/var/run/postgresql/.s.PGSQL.${port}${suffix}`, { force: true });
  };

  const states = async () =>
    query<{ nodename: string; nodeport: number; reportedstate: string; goalstate: string }>(
      monitorUrl,
      'select nodename, nodeport, reportedstate::text, goalstate::text from pgautofailover.node order by nodeid',
    );

  const waitHealthy = async (timeoutMs = 90_000): Promise<DataNode> => {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      try {
        const rows = await states();
        last = JSON.stringify(rows);
        const settled = rows.length === 2 && rows.every((r) => r.reportedstate === r.goalstate);
        const primary = rows.find((r) => r.reportedstate === 'primary');
        if (settled && primary && rows.some((r) => r.reportedstate === 'secondary')) return nodes.find((n) => n.port === primary.nodeport)!;
      } catch (err) {
        last = String(err);
      }
      if (Date.now() > deadline) throw new Error(`pg_auto_failover formation not healthy after ${timeoutMs} ms: ${last}\n${output.slice(-4000)}`);
      await sleep(250);
    }
  };

  const currentPrimary = async (): Promise<DataNode> => {
    // The monitor's view lags the nodes by a health check or two: ask again for a while.
    for (let attempt = 0; ; attempt++) {
      try {
        return await primaryNow();
      } catch (err) {
        if (attempt >= 240) throw err;
        await sleep(250);
      }
    }
  };
  const primaryNow = async (): Promise<DataNode> => {
    const rows = await states();
    for (const node of nodes) {
      if (!rows.some((r) => r.nodeport === node.port && r.reportedstate === 'primary' || r.nodeport === node.port && r.reportedstate === 'wait_primary')) continue;
      const [row] = await query<{ recovery: boolean }>(nodeUrl(node), 'select pg_is_in_recovery() as recovery').catch(() => [{ recovery: true }]);
      if (row && !row.recovery) return node;
    }
    throw new Error(`no primary: ${JSON.stringify(rows)}`);
  };

  try {
    startKeeper('monitor', ['create', 'monitor', '--pgdata', monitorData, '--pgport', String(monitorPort), ...common, '--run']);
    const monitorDeadline = Date.now() + 60_000;
    for (;;) {
      // The monitor is ready when its extension answers.
      const ok = await query(monitorUrl, 'select 1 from pgautofailover.formation').then(() => true, () => false);
      if (ok) break;
      if (Date.now() > monitorDeadline) throw new Error(`pg_auto_failover monitor did not start:\n${output.slice(-4000)}`);
      await sleep(250);
    }
    // Fast failure detection (defaults are tens of seconds): a crashed primary is noticed in a few.
    await query(
      monitorUrl,
      ...[
        "alter system set pgautofailover.health_check_period = '1000'",
        "alter system set pgautofailover.health_check_timeout = '1000'",
        "alter system set pgautofailover.health_check_max_retries = '1'",
        "alter system set pgautofailover.health_check_retry_delay = '500'",
        "alter system set pgautofailover.node_considered_unhealthy_timeout = '3000'",
        // A crashed primary cannot confirm its demotion: wait 3 s for it, not the default 30 s.
        "alter system set pgautofailover.primary_demote_timeout = '3000'",
        'select pg_reload_conf()',
      ],
    );
    for (const name of ['node_a', 'node_b']) {
      const port = await freePort();
      ports.push(port);
      const node = { name, port, pgdata: join(dir, name) };
      nodes.push(node);
      const args = ['--pgdata', node.pgdata];
      nodeArgs.set(name, args);
      startKeeper(name, [
        'create', 'postgres', ...args, '--pgport', String(port), '--name', name, '--dbname', DATABASE, '--monitor', autoctlMonitorUrl, ...common, '--run',
      ]);
      // One at a time: the first registers as the primary, the second clones it as the standby.
      const nodeDeadline = Date.now() + 90_000;
      for (;;) {
        const rows = await states().catch(() => []);
        const me = rows.find((r) => r.nodename === name);
        if (me && me.reportedstate === me.goalstate && ['single', 'primary', 'secondary'].includes(me.reportedstate)) break;
        // pg_basebackup waits for a spread checkpoint on the primary (minutes); ask for it now.
        if (nodes.length === 2) await query(nodeUrl(nodes[0]!), 'checkpoint').catch(() => undefined);
        if (Date.now() > nodeDeadline) throw new Error(`pg_auto_failover node ${name} did not join: ${JSON.stringify(rows)}\n${output.slice(-4000)}`);
        await sleep(500);
      }
    }
    await waitHealthy();
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    url: `postgres://postgres@${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}/${DATABASE}?target_session_attrs=read-write`,
    nodeUrl,
    nodes,
    currentPrimary,
    waitHealthy,
    switchover: async () => {
      await run(['perform', 'switchover', '--monitor', autoctlMonitorUrl, '--formation', 'default', '--group', '0']);
    },
    crashPrimary: async () => {
      const primary = await currentPrimary();
      killGroup(keepers.get(primary.name));
      killPostmaster(primary.pgdata);
      await keepers.get(primary.name)!.exited;
      return primary;
    },
    restart: (node) => {
      startKeeper(node.name, ['run', ...nodeArgs.get(node.name)!]);
    },
    replicationSettings: async () => {
      const primary = await currentPrimary();
      const [row] = await query<{ names: string; commit: string }>(
        nodeUrl(primary),
        "select current_setting('synchronous_standby_names') as names, current_setting('synchronous_commit') as commit",
      );
      return { synchronousStandbyNames: row!.names, synchronousCommit: row!.commit };
    },
    output: () => output,
    stop,
  };
}
