import { parseRates, type RateTable } from './modules/sandbox/rates.js';
import type { PreparedStatementsMode } from './db/named-statements.js';
import { parsePostgresUrl, PostgresUrlError } from './db/postgres-url.js';

/**
 * The only reader of `process.env` (docs/architecture.md). Parsed once, every problem listed together,
 * result frozen. Tests call `loadConfig({...})` with their own environment object.
 */

import { readFileSync } from 'node:fs';
import ipaddr from 'ipaddr.js';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string;
  /** PostgreSQL connections per process (docs/scale-out.md); ignored for SQLite. */
  readonly databasePoolSize: number;
  /** PostgreSQL named prepared statements on the hot paths (docs/postgres-topologies.md). */
  readonly databasePreparedStatements: PreparedStatementsMode;
  readonly publicUrl: string;
  readonly issuer: string;
  readonly maxCodesPerRequest: number;
  readonly maxCodesPerProgram: number;
  readonly inlineGenerationLimit: number;
  readonly generationLeaseSeconds: number;
  readonly generationChunkSize: number;
  readonly generationPollMs: number;
  /** How often each process tries the program status sweep (it runs in the lease holder only). */
  readonly statusSweepIntervalMs: number;
  readonly accessTokenTtlSeconds: number;
  /** Live webhook endpoints one client may have (docs/limits.md, Fan-out caps). */
  readonly maxWebhookEndpointsPerClient: number;
  /** Guest notifications (add-guests, distribute) one program may send per window (docs/limits.md, Fan-out caps). */
  readonly guestNotificationsPerProgram: number;
  readonly guestNotificationsWindowSeconds: number;
  readonly bodyLimitBytes: number;
  readonly maxPageSize: number;
  readonly logLevel: string;
  readonly demoBootstrap: boolean;
  /**
   * Which proxies' X-Forwarded-For to believe: false (none, the socket address is the client), a
   * hop count (that many proxies in front of the service), or proxy addresses/CIDRs.
   */
  readonly trustProxy: false | number | readonly string[];
  readonly codeMaxGuessOdds: number;
  readonly shutdownGraceMs: number;
  readonly shutdownTimeoutMs: number;
  /** Guessing defense (docs/redemption.md): failed-claim budgets per sliding window. */
  readonly claimFailureWindowSeconds: number;
  readonly claimFailuresPerClient: number;
  readonly claimFailuresPerRider: number;
  readonly claimFailuresPerProgram: number;
  /** The built-in /redeem page: failed claims per client address (its riders share one client). */
  readonly claimFailuresPerAddress: number;
  readonly webhookAllowPrivateTargets: boolean;
  readonly webhookMaxAttempts: number;
  readonly webhookBackoffBaseSeconds: number;
  readonly webhookTimeoutMs: number;
  readonly webhookMaxResponseBytes: number;
  readonly webhookPollIntervalMs: number;
  readonly webhookConcurrency: number;
  readonly webhookKeyOverlapSeconds: number;
  readonly webhookEnvironment: string;
  readonly idempotencyRetentionSeconds: number;
  readonly webhookRetentionDays: number;
  /** Authorization server. */
  readonly refreshTokenTtlSeconds: number;
  readonly authCodeTtlSeconds: number;
  /** client_credentials mints per client per window. */
  readonly tokenRateLimit: number;
  /** authorization_code and refresh_token grants per user, and per client (all its users). */
  readonly tokenUserRateLimit: number;
  readonly tokenClientUserRateLimit: number;
  readonly tokenRateWindowSeconds: number;
  readonly maxLiveTokensPerClient: number;
  readonly loginMaxFailures: number;
  readonly loginWindowSeconds: number;
  /** Password checks running at once in this process, and per account / per address. */
  readonly loginHashConcurrency: number;
  readonly loginConcurrentPerAccount: number;
  readonly loginConcurrentPerAddress: number;
  readonly sessionTtlSeconds: number;
  /** Unknown body/query fields: ignored and named (default), or refused with 400. See docs/compatibility.md. */
  readonly unknownFields: 'ignore' | 'reject';
  /** `sandbox` adds the trip-simulation helpers and marks webhooks (docs/sandbox.md). */
  readonly environment: 'production' | 'sandbox';
  readonly sandboxRunSeconds: number;
  readonly sandboxPollMs: number;
  readonly sandboxLeaseSeconds: number;
  readonly sandboxRates: RateTable;
  /**
   * The key-encryption key for secrets at rest (docs/secrets.md), from SECRETS_KEY or
   * SECRETS_KEY_FILE; null when neither is set (SQLite then keeps a key file beside the database).
   */
  readonly secretsKey: Buffer | null;
  /** Older keys still accepted for opening values during a rotation (SECRETS_KEY_PREVIOUS). */
  readonly secretsKeyPrevious: readonly Buffer[];
  /** Heavy work admitted at once (docs/limits.md, Concurrency): per organization and per process. */
  readonly generationGate: WorkGateLimits;
  readonly exportGate: WorkGateLimits;
  /** Slow clients (docs/limits.md, Connections): receiving a request, its headers, an idle socket. */
  readonly requestTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly connectionTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly maxConnectionsPerAddress: number;
}

/** Running and waiting slots of one kind of heavy work, per organization and in the whole process. */
export interface WorkGateLimits {
  readonly perOrg: number;
  readonly perOrgQueue: number;
  readonly perProcess: number;
  readonly perProcessQueue: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Every variable voucherd reads, with its default; README's configuration table mirrors this. */
export const CONFIG_VARIABLES = {
  PORT: '8080',
  HOST: '127.0.0.1',
  DATABASE_URL: 'sqlite:./data/voucherd.db',
  DATABASE_POOL_SIZE: '10',
  DATABASE_PREPARED_STATEMENTS: 'auto',
  PUBLIC_URL: '(http://HOST:PORT)',
  OAUTH_ISSUER: '(PUBLIC_URL)',
  MAX_CODES_PER_REQUEST: '30000',
  MAX_CODES_PER_PROGRAM: '1000000',
  INLINE_GENERATION_LIMIT: '30000',
  GENERATION_LEASE_SECONDS: '120',
  GENERATION_CHUNK_SIZE: '10000',
  GENERATION_POLL_MS: '500',
  STATUS_SWEEP_INTERVAL_MS: '15000',
  ACCESS_TOKEN_TTL_SECONDS: '3600',
  BODY_LIMIT_BYTES: '1048576',
  MAX_PAGE_SIZE: '10000',
  LOG_LEVEL: 'info',
  DEMO_BOOTSTRAP: 'true',
  TRUST_PROXY: 'false',
  CODE_MAX_GUESS_ODDS: '1e-9',
  SHUTDOWN_GRACE_MS: '1000',
  SHUTDOWN_TIMEOUT_MS: '30000',
  CLAIM_FAILURE_WINDOW_SECONDS: '900',
  CLAIM_FAILURES_PER_CLIENT: '1000',
  CLAIM_FAILURES_PER_RIDER: '20',
  CLAIM_FAILURES_PER_PROGRAM: '500',
  CLAIM_FAILURES_PER_ADDRESS: '100',
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false',
  WEBHOOK_MAX_ATTEMPTS: '7',
  WEBHOOK_BACKOFF_BASE_SECONDS: '60',
  WEBHOOK_TIMEOUT_MS: '10000',
  WEBHOOK_MAX_RESPONSE_BYTES: '1024',
  WEBHOOK_POLL_INTERVAL_MS: '1000',
  WEBHOOK_CONCURRENCY: '16',
  WEBHOOK_KEY_OVERLAP_SECONDS: '86400',
  WEBHOOK_ENVIRONMENT: 'production',
  IDEMPOTENCY_RETENTION_SECONDS: '86400',
  WEBHOOK_RETENTION_DAYS: '30',
  MAX_WEBHOOK_ENDPOINTS_PER_CLIENT: '20',
  GUEST_NOTIFICATIONS_PER_PROGRAM: '1000',
  GUEST_NOTIFICATIONS_WINDOW_SECONDS: '3600',
  REFRESH_TOKEN_TTL_SECONDS: '1209600',
  AUTH_CODE_TTL_SECONDS: '60',
  TOKEN_RATE_LIMIT: '100',
  TOKEN_USER_RATE_LIMIT: '100',
  TOKEN_CLIENT_USER_RATE_LIMIT: '100000',
  TOKEN_RATE_WINDOW_SECONDS: '3600',
  MAX_LIVE_TOKENS_PER_CLIENT: '100',
  LOGIN_MAX_FAILURES: '5',
  LOGIN_WINDOW_SECONDS: '900',
  LOGIN_HASH_CONCURRENCY: '2',
  LOGIN_CONCURRENT_PER_ACCOUNT: '2',
  LOGIN_CONCURRENT_PER_ADDRESS: '4',
  SESSION_TTL_SECONDS: '1800',
  UNKNOWN_FIELDS: 'ignore',
  VOUCHERD_ENVIRONMENT: 'production',
  SANDBOX_RUN_SECONDS: '5',
  SANDBOX_POLL_MS: '500',
  SANDBOX_LEASE_SECONDS: '30',
  SANDBOX_RATES: '(built-in table, docs/sandbox.md)',
  SECRETS_KEY: '(unset)',
  SECRETS_KEY_FILE: '(unset)',
  SECRETS_KEY_PREVIOUS: '(unset)',
  GENERATION_CONCURRENCY_PER_ORG: '2',
  GENERATION_QUEUE_PER_ORG: '2',
  GENERATION_CONCURRENCY: '4',
  GENERATION_QUEUE: '16',
  EXPORT_CONCURRENCY_PER_ORG: '2',
  EXPORT_QUEUE_PER_ORG: '2',
  EXPORT_CONCURRENCY: '4',
  EXPORT_QUEUE: '16',
  REQUEST_TIMEOUT_MS: '30000',
  HEADERS_TIMEOUT_MS: '10000',
  CONNECTION_TIMEOUT_MS: '60000',
  KEEP_ALIVE_TIMEOUT_MS: '72000',
  MAX_CONNECTIONS_PER_ADDRESS: '100',
} as const;

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = (name: keyof typeof CONFIG_VARIABLES): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const int = (name: keyof typeof CONFIG_VARIABLES, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return Number(raw);
  };
  const bool = (name: keyof typeof CONFIG_VARIABLES, fallback: boolean): boolean => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };
  const url = (name: keyof typeof CONFIG_VARIABLES, fallback: string): string => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    try {
      const parsed = new URL(raw);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
      if (parsed.search || parsed.hash) throw new Error('query');
      return raw.replace(/\/+$/, '');
    } catch {
      problems.push(`${name} must be an absolute http(s) URL without query or fragment (got "${raw}")`);
      return fallback;
    }
  };

  const port = int('PORT', 8080, 0, 65535);
  const host = read('HOST') ?? '127.0.0.1';
  const databaseUrl = read('DATABASE_URL') ?? 'sqlite:./data/voucherd.db';
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    problems.push(`DATABASE_URL must start with sqlite: or postgres:// (got "${databaseUrl}")`);
  } else if (databaseUrl.startsWith('postgres')) {
    // Host lists and target_session_attrs are ours to read; a URL nothing can parse is reported here.
    try {
      parsePostgresUrl(databaseUrl);
    } catch (err) {
      if (!(err instanceof PostgresUrlError)) throw err;
      problems.push(err.message);
    }
  }
  const preparedRaw = read('DATABASE_PREPARED_STATEMENTS')?.toLowerCase() ?? 'auto';
  if (!['auto', 'on', 'off'].includes(preparedRaw)) problems.push(`DATABASE_PREPARED_STATEMENTS must be auto, on or off (got "${preparedRaw}")`);
  const databasePreparedStatements = (['on', 'off'].includes(preparedRaw) ? preparedRaw : 'auto') as PreparedStatementsMode;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const publicUrl = url('PUBLIC_URL', `http://${urlHost}:${port}`);
  const issuer = url('OAUTH_ISSUER', publicUrl);
  const maxCodesPerRequest = int('MAX_CODES_PER_REQUEST', 30_000, 1, 10_000_000);
  const maxCodesPerProgram = int('MAX_CODES_PER_PROGRAM', 1_000_000, 1, 100_000_000);
  const inlineGenerationLimit = int('INLINE_GENERATION_LIMIT', 30_000, 1, 1_000_000);
  if (maxCodesPerRequest > maxCodesPerProgram) {
    problems.push(`MAX_CODES_PER_REQUEST (${maxCodesPerRequest}) cannot exceed MAX_CODES_PER_PROGRAM (${maxCodesPerProgram})`);
  }
  const generationLeaseSeconds = int('GENERATION_LEASE_SECONDS', 120, 5, 86_400);
  const generationChunkSize = int('GENERATION_CHUNK_SIZE', 10_000, 100, 1_000_000);
  const generationPollMs = int('GENERATION_POLL_MS', 500, 10, 60_000);
  const statusSweepIntervalMs = int('STATUS_SWEEP_INTERVAL_MS', 15_000, 100, 3_600_000);
  const accessTokenTtlSeconds = int('ACCESS_TOKEN_TTL_SECONDS', 3600, 60, 30 * 86_400);
  const bodyLimitBytes = int('BODY_LIMIT_BYTES', 1_048_576, 1024, 64 * 1_048_576);
  const maxPageSize = int('MAX_PAGE_SIZE', 10_000, 1, 100_000);
  const logLevel = read('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  const demoBootstrap = bool('DEMO_BOOTSTRAP', true);
  const trustProxy = parseTrustProxy(read('TRUST_PROXY'), problems);
  // docs/programs.md (X): largest allowed chance that one random guess hits a live code of a program.
  const codeMaxGuessOddsRaw = read('CODE_MAX_GUESS_ODDS') ?? '1e-9';
  const codeMaxGuessOdds = Number(codeMaxGuessOddsRaw);
  if (!/^\d+(\.\d+)?(e-?\d+)?$/i.test(codeMaxGuessOddsRaw) || !(codeMaxGuessOdds > 0 && codeMaxGuessOdds < 1)) {
    problems.push(`CODE_MAX_GUESS_ODDS must be a number between 0 and 1, e.g. 1e-9 (got "${codeMaxGuessOddsRaw}")`);
  }
  const shutdownGraceMs = int('SHUTDOWN_GRACE_MS', 1000, 0, 60_000);
  const shutdownTimeoutMs = int('SHUTDOWN_TIMEOUT_MS', 30_000, 1000, 600_000);
  const claimFailureWindowSeconds = int('CLAIM_FAILURE_WINDOW_SECONDS', 900, 1, 7 * 86_400);
  const claimFailuresPerClient = int('CLAIM_FAILURES_PER_CLIENT', 1000, 1, 100_000_000);
  const claimFailuresPerRider = int('CLAIM_FAILURES_PER_RIDER', 20, 1, 100_000_000);
  const claimFailuresPerProgram = int('CLAIM_FAILURES_PER_PROGRAM', 500, 1, 100_000_000);
  const claimFailuresPerAddress = int('CLAIM_FAILURES_PER_ADDRESS', 100, 1, 100_000_000);
  // docs/webhooks.md: private/loopback targets are refused unless explicitly allowed (local development, tests).
  const webhookAllowPrivateTargets = bool('WEBHOOK_ALLOW_PRIVATE_TARGETS', false);
  // Uber: up to 7 attempts over about an hour (60 s · 2^n: 1+2+4+8+16+32 min ≈ 63 min).
  const webhookMaxAttempts = int('WEBHOOK_MAX_ATTEMPTS', 7, 1, 50);
  const webhookBackoffBaseSeconds = int('WEBHOOK_BACKOFF_BASE_SECONDS', 60, 1, 86_400);
  const webhookTimeoutMs = int('WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000);
  // docs/webhooks.md: a receiver's body is kept in the attempt log, so only its first KiB is read.
  const webhookMaxResponseBytes = int('WEBHOOK_MAX_RESPONSE_BYTES', 1024, 0, 65_536);
  const webhookPollIntervalMs = int('WEBHOOK_POLL_INTERVAL_MS', 1000, 10, 600_000);
  const webhookConcurrency = int('WEBHOOK_CONCURRENCY', 16, 1, 256);
  const databasePoolSize = int('DATABASE_POOL_SIZE', 10, 1, 1000);
  const webhookKeyOverlapSeconds = int('WEBHOOK_KEY_OVERLAP_SECONDS', 86_400, 0, 30 * 86_400);
  const environmentRaw = (read('VOUCHERD_ENVIRONMENT') ?? 'production').toLowerCase();
  if (environmentRaw !== 'production' && environmentRaw !== 'sandbox') problems.push(`VOUCHERD_ENVIRONMENT must be production or sandbox (got "${environmentRaw}")`);
  const environment = environmentRaw === 'sandbox' ? 'sandbox' : 'production';
  // A sandbox says so on every webhook (Uber's sandbox sends `X-Environment: Sandbox`); it may not claim otherwise.
  const webhookEnvironment = read('WEBHOOK_ENVIRONMENT') ?? (environment === 'sandbox' ? 'Sandbox' : 'production');
  if (environment === 'sandbox' && webhookEnvironment.toLowerCase() !== 'sandbox') {
    problems.push(`WEBHOOK_ENVIRONMENT must be Sandbox (or unset) when VOUCHERD_ENVIRONMENT is sandbox (got "${webhookEnvironment}")`);
  }
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(webhookEnvironment)) problems.push(`WEBHOOK_ENVIRONMENT must be 1-64 letters, digits, '.', '_' or '-' (got "${webhookEnvironment}")`);
  const idempotencyRetentionSeconds = int('IDEMPOTENCY_RETENTION_SECONDS', 86_400, 60, 30 * 86_400);
  // Finished deliveries, their attempt logs and dispatched outbox rows are kept this long.
  const webhookRetentionDays = int('WEBHOOK_RETENTION_DAYS', 30, 1, 3650);
  // Fan-out caps (docs/limits.md): one event reaches at most this many endpoints of one client, and
  // one program messages at most this many guests per window.
  const maxWebhookEndpointsPerClient = int('MAX_WEBHOOK_ENDPOINTS_PER_CLIENT', 20, 1, 10_000);
  const guestNotificationsPerProgram = int('GUEST_NOTIFICATIONS_PER_PROGRAM', 1000, 1, 100_000_000);
  const guestNotificationsWindowSeconds = int('GUEST_NOTIFICATIONS_WINDOW_SECONDS', 3600, 1, 30 * 86_400);
  // Authorization server: refresh tokens 14 days; codes at most 60 s (RFC 6749 §4.1.2 "10 minutes
  // maximum", RFC 9700 asks for short); Uber mints at most 100 client_credentials tokens per hour.
  const refreshTokenTtlSeconds = int('REFRESH_TOKEN_TTL_SECONDS', 14 * 86_400, 60, 365 * 86_400);
  const authCodeTtlSeconds = int('AUTH_CODE_TTL_SECONDS', 60, 5, 60);
  const tokenRateLimit = int('TOKEN_RATE_LIMIT', 100, 1, 1_000_000);
  const tokenUserRateLimit = int('TOKEN_USER_RATE_LIMIT', 100, 1, 1_000_000);
  const tokenClientUserRateLimit = int('TOKEN_CLIENT_USER_RATE_LIMIT', 100_000, 1, 100_000_000);
  const tokenRateWindowSeconds = int('TOKEN_RATE_WINDOW_SECONDS', 3600, 1, 86_400);
  const maxLiveTokensPerClient = int('MAX_LIVE_TOKENS_PER_CLIENT', 100, 1, 1_000_000);
  const loginMaxFailures = int('LOGIN_MAX_FAILURES', 5, 1, 1000);
  const loginWindowSeconds = int('LOGIN_WINDOW_SECONDS', 900, 1, 86_400);
  const loginHashConcurrency = int('LOGIN_HASH_CONCURRENCY', 2, 1, 256);
  const loginConcurrentPerAccount = int('LOGIN_CONCURRENT_PER_ACCOUNT', 2, 1, 1000);
  const loginConcurrentPerAddress = int('LOGIN_CONCURRENT_PER_ADDRESS', 4, 1, 1000);
  const sessionTtlSeconds = int('SESSION_TTL_SECONDS', 1800, 60, 86_400);
  const unknownFieldsRaw = (read('UNKNOWN_FIELDS') ?? 'ignore').toLowerCase();
  if (unknownFieldsRaw !== 'ignore' && unknownFieldsRaw !== 'reject') problems.push(`UNKNOWN_FIELDS must be ignore or reject (got "${unknownFieldsRaw}")`);
  const unknownFields: 'ignore' | 'reject' = unknownFieldsRaw === 'reject' ? 'reject' : 'ignore';
  // Sandbox trip runs (docs/sandbox.md): how long a simulated trip takes, how often each process
  // looks for due runs, how long a process may hold one before another takes it over.
  const sandboxRunSeconds = int('SANDBOX_RUN_SECONDS', 5, 0, 3600);
  const sandboxPollMs = int('SANDBOX_POLL_MS', 500, 10, 60_000);
  const sandboxLeaseSeconds = int('SANDBOX_LEASE_SECONDS', 30, 1, 3600);
  const rates = parseRates(read('SANDBOX_RATES'));
  problems.push(...rates.problems);
  const secretsKey = parseSecretsKey(read('SECRETS_KEY'), read('SECRETS_KEY_FILE'), problems);
  const secretsKeyPrevious = (read('SECRETS_KEY_PREVIOUS') ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k.length > 0)
    .map((k, i) => decodeKey(k, `SECRETS_KEY_PREVIOUS entry ${i + 1}`, problems))
    .filter((k): k is Buffer => k !== null);
  // docs/limits.md, Concurrency: inline generations and full exports admitted at once, and how many
  // may wait; past that the request is answered 429 at once instead of pinning memory in a queue.
  const gate = (prefix: 'GENERATION' | 'EXPORT'): WorkGateLimits => ({
    perOrg: int(`${prefix}_CONCURRENCY_PER_ORG`, 2, 1, 1000),
    perOrgQueue: int(`${prefix}_QUEUE_PER_ORG`, 2, 0, 10_000),
    perProcess: int(`${prefix}_CONCURRENCY`, 4, 1, 1000),
    perProcessQueue: int(`${prefix}_QUEUE`, 16, 0, 100_000),
  });
  const generationGate = gate('GENERATION');
  const exportGate = gate('EXPORT');
  // docs/limits.md, Connections. The request timeout bounds receiving a request (not streaming the
  // answer); Node requires the headers timeout not to exceed it.
  const requestTimeoutMs = int('REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000);
  const headersTimeoutMs = int('HEADERS_TIMEOUT_MS', 10_000, 100, 3_600_000);
  if (headersTimeoutMs > requestTimeoutMs) problems.push(`HEADERS_TIMEOUT_MS (${headersTimeoutMs}) cannot exceed REQUEST_TIMEOUT_MS (${requestTimeoutMs})`);
  const connectionTimeoutMs = int('CONNECTION_TIMEOUT_MS', 60_000, 100, 3_600_000);
  const keepAliveTimeoutMs = int('KEEP_ALIVE_TIMEOUT_MS', 72_000, 100, 3_600_000);
  const maxConnectionsPerAddress = int('MAX_CONNECTIONS_PER_ADDRESS', 100, 1, 1_000_000);

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    port,
    host,
    databaseUrl,
    databasePoolSize,
    databasePreparedStatements,
    publicUrl,
    issuer,
    maxCodesPerRequest,
    maxCodesPerProgram,
    inlineGenerationLimit,
    generationLeaseSeconds,
    generationChunkSize,
    generationPollMs,
    statusSweepIntervalMs,
    accessTokenTtlSeconds,
    bodyLimitBytes,
    maxPageSize,
    logLevel,
    demoBootstrap,
    trustProxy,
    codeMaxGuessOdds,
    shutdownGraceMs,
    shutdownTimeoutMs,
    claimFailureWindowSeconds,
    claimFailuresPerClient,
    claimFailuresPerRider,
    claimFailuresPerProgram,
    claimFailuresPerAddress,
    webhookAllowPrivateTargets,
    webhookMaxAttempts,
    webhookBackoffBaseSeconds,
    webhookTimeoutMs,
    webhookMaxResponseBytes,
    webhookPollIntervalMs,
    webhookConcurrency,
    webhookKeyOverlapSeconds,
    webhookEnvironment,
    idempotencyRetentionSeconds,
    webhookRetentionDays,
    maxWebhookEndpointsPerClient,
    guestNotificationsPerProgram,
    guestNotificationsWindowSeconds,
    refreshTokenTtlSeconds,
    authCodeTtlSeconds,
    tokenRateLimit,
    tokenUserRateLimit,
    tokenClientUserRateLimit,
    tokenRateWindowSeconds,
    maxLiveTokensPerClient,
    loginMaxFailures,
    loginWindowSeconds,
    loginHashConcurrency,
    loginConcurrentPerAccount,
    loginConcurrentPerAddress,
    sessionTtlSeconds,
    unknownFields,
    environment,
    sandboxRunSeconds,
    sandboxPollMs,
    sandboxLeaseSeconds,
    sandboxRates: rates.rates,
    secretsKey,
    secretsKeyPrevious: Object.freeze(secretsKeyPrevious),
    generationGate,
    exportGate,
    requestTimeoutMs,
    headersTimeoutMs,
    connectionTimeoutMs,
    keepAliveTimeoutMs,
    maxConnectionsPerAddress,
  });
}

/** A 32-byte key written as 64 hex digits or base64/base64url; null (and a problem) otherwise. */
function decodeKey(text: string, what: string, problems: string[]): Buffer | null {
  const key = /^[0-9a-fA-F]{64}$/.test(text)
    ? Buffer.from(text, 'hex')
    : /^[A-Za-z0-9+/_-]+={0,2}$/.test(text)
      ? Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
      : null;
  if (key === null || key.length !== 32) {
    problems.push(`${what} must be 32 bytes written as 64 hex digits or base64 (e.g. the output of: openssl rand -base64 32)`);
    return null;
  }
  return key;
}

function parseSecretsKey(inline: string | undefined, file: string | undefined, problems: string[]): Buffer | null {
  if (inline !== undefined && file !== undefined) {
    problems.push('SECRETS_KEY and SECRETS_KEY_FILE are both set; set only one');
    return null;
  }
  if (inline !== undefined) return decodeKey(inline, 'SECRETS_KEY', problems);
  if (file === undefined) return null;
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    problems.push(`SECRETS_KEY_FILE ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return null;
  }
  return decodeKey(text, `SECRETS_KEY_FILE ${file}`, problems);
}

/**
 * TRUST_PROXY: unset/false → no proxy; a whole number → that many proxy hops in front of the
 * service; otherwise a comma list of proxy addresses or CIDRs. `true` (believe every hop) is
 * refused: any client could then pick its own address with X-Forwarded-For.
 */
function parseTrustProxy(raw: string | undefined, problems: string[]): false | number | readonly string[] {
  if (raw === undefined || ['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  if (['true', 'yes', 'on'].includes(raw.toLowerCase())) {
    problems.push(`TRUST_PROXY=${raw} would believe any X-Forwarded-For; write the number of proxy hops in front of voucherd (e.g. 1) or their addresses/CIDRs (e.g. 10.0.0.0/8,192.168.1.5)`);
    return false;
  }
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops > 32) problems.push(`TRUST_PROXY hop count must be from 0 to 32 (got "${raw}")`);
    return hops;
  }
  const entries = raw.split(',').map((e) => e.trim()).filter((e) => e.length > 0);
  for (const entry of entries) {
    if (!isAddressOrCidr(entry)) problems.push(`TRUST_PROXY entry "${entry}" is not an IP address or CIDR (write a hop count or addresses/CIDRs, comma-separated)`);
  }
  return Object.freeze(entries);
}

function isAddressOrCidr(entry: string): boolean {
  const [address, bits, extra] = entry.split('/');
  if (extra !== undefined || address === undefined) return false;
  if (!ipaddr.IPv4.isValidFourPartDecimal(address) && !ipaddr.IPv6.isValid(address)) return false;
  if (bits === undefined) return true;
  if (!/^\d+$/.test(bits)) return false;
  return Number(bits) <= (ipaddr.parse(address).kind() === 'ipv4' ? 32 : 128);
}
