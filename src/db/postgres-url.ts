/**
 * Reads a PostgreSQL DATABASE_URL the way libpq does for the parts node-postgres does not
 * understand: a comma-separated host list (`postgres://u@h1:5432,h2:5433/db`) and
 * `target_session_attrs`. node-postgres itself only ever sees one single-host URL per host.
 * voucherd's own parameters (`pgbouncer`, `target_session_attrs`) are removed from those URLs.
 * See docs/postgres-topologies.md.
 */

export const TARGET_SESSION_ATTRS = ['any', 'read-write', 'read-only', 'primary', 'standby', 'prefer-standby'] as const;
export type TargetSessionAttrs = (typeof TARGET_SESSION_ATTRS)[number];

export interface PostgresHost {
  host: string;
  port: number;
}

export interface PostgresUrl {
  hosts: PostgresHost[];
  targetSessionAttrs: TargetSessionAttrs;
  /** `?pgbouncer=true` (or false): the URL says whether a transaction-pooling PgBouncer is in between. */
  pgbouncer: boolean | undefined;
  /** A single-host URL for node-postgres, with voucherd's own parameters removed. */
  urlFor(host: PostgresHost): string;
}

export class PostgresUrlError extends Error {
  constructor(detail: string) {
    super(`DATABASE_URL is not a usable PostgreSQL URL: ${detail}`);
    this.name = 'PostgresUrlError';
  }
}

const OWN_PARAMETERS = ['pgbouncer', 'target_session_attrs'];

function parseHost(part: string): PostgresHost {
  // [::1]:5432, [::1], host:5432, host
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]*))(?::(\d*))?$/.exec(part);
  const host = match?.[1] ?? match?.[2];
  if (!match || host === undefined || host === '') throw new PostgresUrlError(`empty or malformed host "${part}"`);
  const port = match[3] === undefined || match[3] === '' ? 5432 : Number(match[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new PostgresUrlError(`port out of range in "${part}"`);
  return { host: decodeURIComponent(host), port };
}

/** Parses `postgres[ql]://[userinfo@]host[:port][,host[:port]…][/db][?params]`. Throws PostgresUrlError. */
export function parsePostgresUrl(url: string): PostgresUrl {
  const match = /^(postgres(?:ql)?:\/\/)(?:([^@/?#]*)@)?([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/.exec(url);
  if (!match) throw new PostgresUrlError('expected postgres://user@host:port/database');
  const [, scheme, userinfo, hostList = '', path = '', query = ''] = match;
  const hosts = hostList === '' ? [{ host: 'localhost', port: 5432 }] : hostList.split(',').map(parseHost);
  const params = new URLSearchParams(query.slice(1));
  const attrs = params.get('target_session_attrs') ?? 'any';
  if (!(TARGET_SESSION_ATTRS as readonly string[]).includes(attrs)) {
    throw new PostgresUrlError(`target_session_attrs must be one of ${TARGET_SESSION_ATTRS.join(', ')} (got "${attrs}")`);
  }
  const bouncer = params.get('pgbouncer');
  if (bouncer !== null && bouncer !== 'true' && bouncer !== 'false') throw new PostgresUrlError(`pgbouncer must be true or false (got "${bouncer}")`);
  for (const name of OWN_PARAMETERS) params.delete(name);
  const rest = params.toString();
  const urlFor = (h: PostgresHost): string => {
    const host = h.host.includes(':') ? `[${h.host}]` : encodeURIComponent(h.host);
    return `${scheme}${userinfo !== undefined ? `${userinfo}@` : ''}${host}:${h.port}${path}${rest ? `?${rest}` : ''}`;
  };
  // What node-postgres will parse must parse: catch it here, with one line, not at first connect.
  for (const h of hosts) {
    try {
      new URL(urlFor(h));
    } catch {
      throw new PostgresUrlError(`cannot parse host "${h.host}"`);
    }
  }
  return { hosts, targetSessionAttrs: attrs as TargetSessionAttrs, pgbouncer: bouncer === null ? undefined : bouncer === 'true', urlFor };
}
