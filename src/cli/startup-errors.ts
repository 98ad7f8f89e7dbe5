import type { Config } from '../config.js';
import { sqlitePath } from '../db/database.js';
import { parsePostgresUrl } from '../db/postgres-url.js';

interface SystemError {
  code?: string;
  syscall?: string;
  message?: string;
  path?: string;
}

const DATABASE_CONNECT = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// PostgreSQL: invalid authorization (28xxx), unknown database (3D000), connection failures (08xxx), startup refused (57P03, 53300).
const DATABASE_SQLSTATE = /^(28|08|3D000|57P03|53300)/;
const FILE_ERRORS = new Set(['ENOENT', 'EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EISDIR', 'SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_NOTADB', 'SQLITE_PERM']);

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'the path is a directory',
};

/** Where DATABASE_URL points, without credentials. */
function databaseTarget(url: string): string {
  if (url.startsWith('sqlite:')) return sqlitePath(url);
  try {
    return parsePostgresUrl(url).hosts.map((h) => `${h.host}:${h.port}`).join(',');
  } catch {
    return 'PostgreSQL';
  }
}

/**
 * One clear line for the failures an operator causes at startup — the database cannot be reached
 * or opened, the port is taken — naming the setting to fix. Undefined for anything else.
 */
export function describeStartupError(err: unknown, config: Config): string | undefined {
  const e = (err ?? {}) as SystemError;
  const code = e.code ?? '';
  const reason = REASONS[code] ?? (e.message ?? String(err)).split('\n')[0];
  if (e.syscall === 'listen' || code === 'EADDRINUSE') {
    if (code === 'EADDRINUSE') return `port ${config.port} on ${config.host} is already in use: set PORT (or HOST) to a free one`;
    if (code === 'EACCES') return `not allowed to listen on port ${config.port}: set PORT to a port above 1023 (or grant the permission)`;
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return `HOST ${config.host} is not an address of this machine`;
    return `cannot listen on ${config.host}:${config.port} (PORT, HOST): ${reason}`;
  }
  const target = databaseTarget(config.databaseUrl);
  if (config.databaseUrl.startsWith('sqlite:') && FILE_ERRORS.has(code)) {
    return `cannot open the SQLite file ${target} (DATABASE_URL): ${reason}`;
  }
  if (config.databaseUrl.startsWith('postgres') && (DATABASE_CONNECT.has(code) || DATABASE_SQLSTATE.test(code))) {
    return `cannot connect to the database at DATABASE_URL (${target}): ${reason}`;
  }
  return undefined;
}
