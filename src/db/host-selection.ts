import pg from 'pg';
import type { PostgresHost, PostgresUrl, TargetSessionAttrs } from './postgres-url.js';

interface ServerState {
  recovery: boolean;
  readOnly: boolean;
}

function matches(attrs: TargetSessionAttrs, state: ServerState): boolean {
  switch (attrs) {
    case 'any':
      return true;
    case 'read-write':
      return !state.readOnly;
    case 'read-only':
      return state.readOnly;
    case 'primary':
      return !state.recovery;
    case 'standby':
    case 'prefer-standby':
      return state.recovery;
  }
}

/** The error a pool connect fails with when no host fits; SQLSTATE 08001 as libpq reports it (→ 503). */
class NoMatchingHostError extends Error {
  readonly code = '08001';
  constructor(attrs: TargetSessionAttrs, cause: unknown) {
    super(`no host of DATABASE_URL accepted a connection with target_session_attrs=${attrs}`, { cause });
  }
}

/**
 * Tries the URL's hosts in order, as libpq does, and returns the first one whose session fits
 * `target_session_attrs` (prefer-standby: a standby, else the first host that answered).
 */
async function chooseHost(url: PostgresUrl, options: pg.ClientConfig): Promise<PostgresHost> {
  let fallback: PostgresHost | undefined;
  let lastError: unknown;
  for (const host of url.hosts) {
    const probe = new pg.Client({ ...options, connectionString: url.urlFor(host) });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      if (url.targetSessionAttrs === 'any') return host;
      const { rows } = await probe.query<{ recovery: boolean; read_only: string }>(
        "select pg_is_in_recovery() as recovery, current_setting('transaction_read_only') as read_only",
      );
      const state = { recovery: rows[0]!.recovery, readOnly: rows[0]!.read_only === 'on' };
      if (matches(url.targetSessionAttrs, state)) return host;
      fallback ??= url.targetSessionAttrs === 'prefer-standby' ? host : undefined;
    } catch (err) {
      lastError = err;
    } finally {
      await probe.end().catch(() => undefined);
    }
  }
  if (fallback) return fallback;
  throw new NoMatchingHostError(url.targetSessionAttrs, lastError);
}

type ConnectCallback = (err: Error | null) => void;

/**
 * A pg.Client for the pool that picks its host at connect time (docs/postgres-topologies.md):
 * every new pooled connection walks the host list again, so after a failover new connections
 * find the new primary. Only used when the URL lists several hosts or sets target_session_attrs.
 */
export function hostSelectingClient(url: PostgresUrl): typeof pg.Client {
  class HostSelectingClient extends pg.Client {
    private readonly selectionOptions: pg.ClientConfig;
    constructor(options: pg.ClientConfig) {
      super(options);
      this.selectionOptions = options;
    }
    // @ts-expect-error one implementation for both of pg's overloads (promise, or node-style callback)
    override connect(callback?: ConnectCallback): Promise<unknown> {
      const connecting = chooseHost(url, this.selectionOptions).then((host) => {
        const self = this as unknown as { host: string; port: number; connectionParameters: { host: string; port: number } };
        self.host = self.connectionParameters.host = host.host;
        self.port = self.connectionParameters.port = host.port;
        return super.connect();
      });
      if (!callback) return connecting;
      connecting.then(
        () => callback(null),
        (err: Error) => callback(err),
      );
      return undefined as unknown as Promise<unknown>;
    }
  }
  return HostSelectingClient as unknown as typeof pg.Client;
}
