import { readFileSync } from 'node:fs';
import ipaddr from 'ipaddr.js';
import { parseRates, type RateTable } from './modules/sandbox/rates.js';
import type { PreparedStatementsMode } from './db/named-statements.js';
import { parsePostgresUrl, PostgresUrlError } from './db/postgres-url.js';

/**
 * The only reader of `process.env` (docs/architecture.md). Every setting is declared once in
 * SETTINGS — variable, Config field, parser, default and description — and that one table drives
 * parsing, the type of Config and the README check. Parsed once, every problem listed together,
 * result frozen. Tests call `loadConfig({...})` with their own environment object.
 */

type Problems = string[];

interface Setting<K extends string | null, T> {
  /** The Config field it fills, or null when it only feeds a derived field (see derive()). */
  readonly key: K;
  /** What an unset variable means, as the README's Default column writes it. */
  readonly default: string;
  readonly description: string;
  parse(raw: string | undefined, name: string, problems: Problems): T;
}

const setting = <K extends string | null, T>(s: Setting<K, T>): Setting<K, T> => s;

function int<K extends string | null>(key: K, fallback: number, min: number, max: number, description: string): Setting<K, number> {
  return setting({
    key,
    default: String(fallback),
    description,
    parse(raw, name, problems) {
      if (raw === undefined) return fallback;
      if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
        problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
        return fallback;
      }
      return Number(raw);
    },
  });
}

function bool<K extends string>(key: K, fallback: boolean, description: string): Setting<K, boolean> {
  return setting({
    key,
    default: String(fallback),
    description,
    parse(rawCased, name, problems) {
      const raw = rawCased?.toLowerCase();
      if (raw === undefined) return fallback;
      if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
      if (['0', 'false', 'no', 'off'].includes(raw)) return false;
      problems.push(`${name} must be true or false (got "${raw}")`);
      return fallback;
    },
  });
}

function words(values: readonly string[]): string {
  return values.length <= 3 ? `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}` : `one of ${values.join(', ')}`;
}

/** One of a closed list; `caseless` lowercases first. */
function oneOf<K extends string, V extends string>(key: K, values: readonly V[], fallback: V, description: string, caseless = true): Setting<K, V> {
  return setting({
    key,
    default: fallback,
    description,
    parse(raw, name, problems) {
      const value = caseless ? raw?.toLowerCase() : raw;
      if (value === undefined) return fallback;
      if (!(values as readonly string[]).includes(value)) {
        problems.push(`${name} must be ${words(values)} (got "${value}")`);
        return fallback;
      }
      return value as V;
    },
  });
}

function text<K extends string | null>(key: K, fallback: string, description: string): Setting<K, string> {
  return setting({ key, default: fallback, description, parse: (raw) => raw ?? fallback });
}

/** Set or not; what unset means is decided in derive() (README Default column: `shown`). */
function optionalText<K extends string | null>(key: K, shown: string, description: string): Setting<K, string | undefined> {
  return setting({ key, default: shown, description, parse: (raw) => raw });
}

/** An absolute http(s) URL without query or fragment, trailing slashes removed; unset → derived. */
function baseUrl(shown: string, description: string): Setting<null, string | undefined> {
  return setting({
    key: null,
    default: shown,
    description,
    parse(raw, name, problems) {
      if (raw === undefined) return undefined;
      try {
        const parsed = new URL(raw);
        if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
        if (parsed.search || parsed.hash) throw new Error('query');
        return raw.replace(/\/+$/, '');
      } catch {
        problems.push(`${name} must be an absolute http(s) URL without query or fragment (got "${raw}")`);
        return undefined;
      }
    },
  });
}

/** Hides the password of a URL written into a problem (the message reaches terminals and logs). */
function masked(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]*@/i, '$1:***@');
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const DAY = 86_400;

/** Every variable voucherd reads, in the order problems are reported; README's configuration table mirrors it. */
export const SETTINGS = {
  PORT: int('port', 8080, 0, 65535, 'HTTP port'),
  HOST: text('host', '127.0.0.1', 'Interface to listen on (0.0.0.0 for all)'),
  DATABASE_URL: setting({
    key: 'databaseUrl',
    default: 'sqlite:./data/voucherd.db',
    description: 'sqlite:<path> (or sqlite::memory:) or postgres://user@host:5432/db, also a host list (docs/postgres-topologies.md)',
    parse(raw, name, problems): string {
      const url = raw ?? 'sqlite:./data/voucherd.db';
      if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(url)) {
        problems.push(`${name} must start with sqlite: or postgres:// (got "${masked(url)}")`);
      } else if (url.startsWith('postgres')) {
        // Host lists and target_session_attrs are ours to read; a URL nothing can parse is reported here.
        try {
          parsePostgresUrl(url);
        } catch (err) {
          if (!(err instanceof PostgresUrlError)) throw err;
          problems.push(err.message);
        }
      }
      return url;
    },
  }),
  DATABASE_POOL_SIZE: int('databasePoolSize', 10, 1, 1000, 'PostgreSQL connections per process (docs/scale-out.md); ignored for SQLite'),
  DATABASE_PREPARED_STATEMENTS: oneOf('databasePreparedStatements', ['auto', 'on', 'off'] as const satisfies readonly PreparedStatementsMode[], 'auto', 'PostgreSQL named prepared statements on the hot paths: on, off or auto (docs/postgres-topologies.md)'),
  PUBLIC_URL: baseUrl('http://HOST:PORT', 'Base URL clients use; builds redemption_links and page links'),
  OAUTH_ISSUER: baseUrl('PUBLIC_URL', 'OAuth issuer identifier (metadata issuer, RFC 9207 iss)'),
  MAX_CODES_PER_REQUEST: int('maxCodesPerRequest', 30_000, 1, 10_000_000, 'Largest number_of_codes one Generate (or Create) may ask for'),
  MAX_CODES_PER_PROGRAM: int('maxCodesPerProgram', 1_000_000, 1, 100_000_000, 'Most codes one program may hold'),
  INLINE_GENERATION_LIMIT: int('inlineGenerationLimit', 30_000, 1, 1_000_000, 'Batches up to this size are committed before the 200; larger ones run as a background job'),
  GENERATION_LEASE_SECONDS: int('generationLeaseSeconds', 120, 5, DAY, "A generation's hold on its program"),
  GENERATION_CHUNK_SIZE: int('generationChunkSize', 10_000, 100, 1_000_000, 'Codes per transaction in a background job'),
  GENERATION_POLL_MS: int('generationPollMs', 500, 10, 60_000, 'How often each process looks for background jobs to run or resume'),
  STATUS_SWEEP_INTERVAL_MS: int('statusSweepIntervalMs', 15_000, 100, 3_600_000, 'How often each process tries the program status sweep (it runs in the lease holder only)'),
  ACCESS_TOKEN_TTL_SECONDS: int('accessTokenTtlSeconds', 3600, 60, 30 * DAY, 'Access-token lifetime'),
  BODY_LIMIT_BYTES: int('bodyLimitBytes', 1_048_576, 1024, 64 * 1_048_576, 'Largest request body (413 above)'),
  MAX_PAGE_SIZE: int('maxPageSize', 10_000, 1, 100_000, 'Largest limit on paged lists'),
  LOG_LEVEL: oneOf('logLevel', LOG_LEVELS, 'info', 'Log level (JSON logs on stdout)', false),
  DEMO_BOOTSTRAP: bool('demoBootstrap', true, 'On an empty database, serve creates a demo organization and prints its credentials'),
  TRUST_PROXY: setting({
    key: 'trustProxy',
    default: 'false',
    description: "Which proxies' X-Forwarded-For to believe: false (none), a hop count, or proxy addresses/CIDRs",
    parse: (raw, _name, problems) => parseTrustProxy(raw, problems),
  }),
  // docs/programs.md (X): largest allowed chance that one random guess hits a live code of a program.
  CODE_MAX_GUESS_ODDS: setting({
    key: 'codeMaxGuessOdds',
    default: '1e-9',
    description: 'Largest allowed chance that one random guess hits a live code of a program',
    parse(raw, name, problems) {
      const value = raw ?? '1e-9';
      const odds = Number(value);
      if (!/^\d+(\.\d+)?(e-?\d+)?$/i.test(value) || !(odds > 0 && odds < 1)) problems.push(`${name} must be a number between 0 and 1, e.g. 1e-9 (got "${value}")`);
      return odds;
    },
  }),
  SHUTDOWN_GRACE_MS: int('shutdownGraceMs', 1000, 0, 60_000, 'On SIGTERM: new requests get 503 for this long before the listener closes'),
  SHUTDOWN_TIMEOUT_MS: int('shutdownTimeoutMs', 30_000, 1000, 600_000, 'On SIGTERM: give up waiting for in-flight work after this long (exit 1)'),
  // Guessing defense (docs/redemption.md): failed-claim budgets per sliding window.
  CLAIM_FAILURE_WINDOW_SECONDS: int('claimFailureWindowSeconds', 900, 1, 7 * DAY, 'Sliding window of the failed-claim budgets'),
  CLAIM_FAILURES_PER_CLIENT: int('claimFailuresPerClient', 1000, 1, 100_000_000, 'Failed claims per client app per window before 429'),
  CLAIM_FAILURES_PER_RIDER: int('claimFailuresPerRider', 20, 1, 100_000_000, 'Failed claims per rider per window before 429'),
  CLAIM_FAILURES_PER_PROGRAM: int('claimFailuresPerProgram', 500, 1, 100_000_000, 'Failed claims naming one program per window before 429'),
  CLAIM_FAILURES_PER_ADDRESS: int('claimFailuresPerAddress', 100, 1, 100_000_000, 'Failed claims per client address per window on the built-in /redeem page (its riders share one client)'),
  // docs/webhooks.md: private/loopback targets are refused unless explicitly allowed (local development, tests).
  WEBHOOK_ALLOW_PRIVATE_TARGETS: bool('webhookAllowPrivateTargets', false, 'Allow loopback/private webhook URLs (local development and tests only)'),
  // Uber: up to 7 attempts over about an hour (60 s · 2^n: 1+2+4+8+16+32 min ≈ 63 min).
  WEBHOOK_MAX_ATTEMPTS: int('webhookMaxAttempts', 7, 1, 50, 'Delivery attempts before giving up'),
  WEBHOOK_BACKOFF_BASE_SECONDS: int('webhookBackoffBaseSeconds', 60, 1, DAY, 'First retry delay; doubles each attempt, with jitter'),
  WEBHOOK_TIMEOUT_MS: int('webhookTimeoutMs', 10_000, 100, 120_000, 'Per-attempt timeout'),
  // docs/webhooks.md: a receiver's body is kept in the attempt log, so only its first KiB is read.
  WEBHOOK_MAX_RESPONSE_BYTES: int('webhookMaxResponseBytes', 1024, 0, 65_536, "Most of a receiver's response body that is read and kept in the attempt log"),
  WEBHOOK_POLL_INTERVAL_MS: int('webhookPollIntervalMs', 1000, 10, 600_000, 'How often each process looks for due deliveries'),
  WEBHOOK_CONCURRENCY: int('webhookConcurrency', 16, 1, 256, 'Deliveries in flight per process'),
  WEBHOOK_KEY_OVERLAP_SECONDS: int('webhookKeyOverlapSeconds', DAY, 0, 30 * DAY, 'After a key rotation, how long the old key keeps signing too'),
  WEBHOOK_ENVIRONMENT: optionalText(null, 'production (Sandbox in a sandbox)', 'Value of the X-Environment header on webhooks'),
  IDEMPOTENCY_RETENTION_SECONDS: int('idempotencyRetentionSeconds', DAY, 60, 30 * DAY, 'How long an Idempotency-Key response is replayable'),
  // Finished deliveries, their attempt logs and dispatched outbox rows are kept this long.
  WEBHOOK_RETENTION_DAYS: int('webhookRetentionDays', 30, 1, 3650, 'How long finished deliveries and dispatched outbox rows are kept'),
  // Fan-out caps (docs/limits.md): one event reaches at most this many endpoints of one client, and
  // one program messages at most this many guests per window.
  MAX_WEBHOOK_ENDPOINTS_PER_CLIENT: int('maxWebhookEndpointsPerClient', 20, 1, 10_000, 'Live webhook endpoints one client may have'),
  GUEST_NOTIFICATIONS_PER_PROGRAM: int('guestNotificationsPerProgram', 1000, 1, 100_000_000, 'Guest notifications (add-guests, distribute) one program may send per window'),
  GUEST_NOTIFICATIONS_WINDOW_SECONDS: int('guestNotificationsWindowSeconds', 3600, 1, 30 * DAY, 'That window (fixed, aligned to multiples of its length)'),
  // Authorization server: refresh tokens 14 days; codes at most 60 s (RFC 6749 §4.1.2 "10 minutes
  // maximum", RFC 9700 asks for short); Uber mints at most 100 client_credentials tokens per hour.
  REFRESH_TOKEN_TTL_SECONDS: int('refreshTokenTtlSeconds', 14 * DAY, 60, 365 * DAY, 'Refresh-token lifetime (rotated on every use)'),
  AUTH_CODE_TTL_SECONDS: int('authCodeTtlSeconds', 60, 5, 60, 'Authorization-code lifetime'),
  TOKEN_RATE_LIMIT: int('tokenRateLimit', 100, 1, 1_000_000, 'client_credentials tokens one client may mint per window'),
  TOKEN_USER_RATE_LIMIT: int('tokenUserRateLimit', 100, 1, 1_000_000, 'authorization_code and refresh_token grants per user per window'),
  TOKEN_CLIENT_USER_RATE_LIMIT: int('tokenClientUserRateLimit', 100_000, 1, 100_000_000, 'authorization_code and refresh_token grants per client per window, all its users together'),
  TOKEN_RATE_WINDOW_SECONDS: int('tokenRateWindowSeconds', 3600, 1, DAY, 'The window of the three token limits'),
  MAX_LIVE_TOKENS_PER_CLIENT: int('maxLiveTokensPerClient', 100, 1, 1_000_000, 'Live access tokens per client; the oldest is invalidated beyond it'),
  LOGIN_MAX_FAILURES: int('loginMaxFailures', 5, 1, 1000, 'Failed sign-ins per account (4× that per address) per window before 429'),
  LOGIN_WINDOW_SECONDS: int('loginWindowSeconds', 900, 1, DAY, 'That window'),
  LOGIN_HASH_CONCURRENCY: int('loginHashConcurrency', 2, 1, 256, 'Password checks (scrypt) running at once per process'),
  LOGIN_CONCURRENT_PER_ACCOUNT: int('loginConcurrentPerAccount', 2, 1, 1000, 'Sign-ins of one account being checked at once per process'),
  LOGIN_CONCURRENT_PER_ADDRESS: int('loginConcurrentPerAddress', 4, 1, 1000, 'Sign-ins from one address being checked at once per process'),
  SESSION_TTL_SECONDS: int('sessionTtlSeconds', 1800, 60, DAY, 'Sign-in session lifetime on the login/consent pages'),
  UNKNOWN_FIELDS: oneOf('unknownFields', ['ignore', 'reject'] as const, 'ignore', 'Unknown body/query fields: ignored and named, or refused with 400 (docs/compatibility.md)'),
  VOUCHERD_ENVIRONMENT: oneOf('environment', ['production', 'sandbox'] as const, 'production', 'sandbox adds the trip-simulation helpers and marks webhooks (docs/sandbox.md)'),
  // Sandbox trip runs (docs/sandbox.md): how long a simulated trip takes, how often each process
  // looks for due runs, how long a process may hold one before another takes it over.
  SANDBOX_RUN_SECONDS: int('sandboxRunSeconds', 5, 0, 3600, 'How long a simulated trip runs before it completes'),
  SANDBOX_POLL_MS: int('sandboxPollMs', 500, 10, 60_000, 'How often each process looks for due trip runs'),
  SANDBOX_LEASE_SECONDS: int('sandboxLeaseSeconds', 30, 1, 3600, 'How long a process may hold a run'),
  SANDBOX_RATES: setting({
    key: 'sandboxRates',
    default: '(built-in table, docs/sandbox.md)',
    description: 'JSON object of product → {base, per_km, per_minute, minimum[, kmh]} overriding the built-in rates',
    parse(raw, _name, problems): RateTable {
      const rates = parseRates(raw);
      problems.push(...rates.problems);
      return rates.rates;
    },
  }),
  SECRETS_KEY: optionalText(null, '(unset)', 'The 32-byte key for secrets at rest, 64 hex digits or base64 (docs/secrets.md)'),
  SECRETS_KEY_FILE: optionalText(null, '(unset)', 'A file holding that key instead (not both)'),
  SECRETS_KEY_PREVIOUS: setting({
    key: 'secretsKeyPrevious',
    default: '(unset)',
    description: 'Comma-separated older keys still accepted for opening values during a rotation',
    parse(raw, name, problems): readonly Buffer[] {
      const keys = (raw ?? '')
        .split(',')
        .map((k) => k.trim())
        .filter((k) => k.length > 0)
        .map((k, i) => decodeKey(k, `${name} entry ${i + 1}`, problems))
        .filter((k): k is Buffer => k !== null);
      return Object.freeze(keys);
    },
  }),
  // docs/limits.md, Concurrency: inline generations and full exports admitted at once, and how many
  // may wait; past that the request is answered 429 at once instead of pinning memory in a queue.
  GENERATION_CONCURRENCY_PER_ORG: int(null, 2, 1, 1000, 'Inline code generations running at once for one organization, per process'),
  GENERATION_QUEUE_PER_ORG: int(null, 2, 0, 10_000, "More of one organization's generations that may wait"),
  GENERATION_CONCURRENCY: int(null, 4, 1, 1000, 'Generations running at once in the process'),
  GENERATION_QUEUE: int(null, 16, 0, 100_000, 'Generations that may wait for a process slot'),
  EXPORT_CONCURRENCY_PER_ORG: int(null, 2, 1, 1000, 'Full code exports streaming at once for one organization, per process'),
  EXPORT_QUEUE_PER_ORG: int(null, 2, 0, 10_000, "More of one organization's exports that may wait"),
  EXPORT_CONCURRENCY: int(null, 4, 1, 1000, 'Full exports streaming at once in the process'),
  EXPORT_QUEUE: int(null, 16, 0, 100_000, 'Exports that may wait for a process slot'),
  // docs/limits.md, Connections. The request timeout bounds receiving a request (not streaming the
  // answer); Node requires the headers timeout not to exceed it.
  REQUEST_TIMEOUT_MS: int('requestTimeoutMs', 30_000, 100, 3_600_000, 'Time to receive a whole request (headers and body)'),
  HEADERS_TIMEOUT_MS: int('headersTimeoutMs', 10_000, 100, 3_600_000, "Time to receive a request's headers (≤ REQUEST_TIMEOUT_MS)"),
  CONNECTION_TIMEOUT_MS: int('connectionTimeoutMs', 60_000, 100, 3_600_000, 'A socket with no traffic either way for this long is closed'),
  KEEP_ALIVE_TIMEOUT_MS: int('keepAliveTimeoutMs', 72_000, 100, 3_600_000, 'How long an idle keep-alive connection stays open between requests'),
  MAX_CONNECTIONS_PER_ADDRESS: int('maxConnectionsPerAddress', 100, 1, 1_000_000, 'Open connections from one remote address; more are answered 429'),
} as const;

export type SettingName = keyof typeof SETTINGS;
type Parsed = { -readonly [N in SettingName]: ReturnType<(typeof SETTINGS)[N]['parse']> };

/** Every variable voucherd reads, with its default as the README writes it. */
export const CONFIG_VARIABLES: Readonly<Record<SettingName, string>> = Object.freeze(
  Object.fromEntries(Object.entries(SETTINGS).map(([name, s]) => [name, s.default])) as Record<SettingName, string>,
);

/** Running and waiting slots of one kind of heavy work, per organization and in the whole process. */
export interface WorkGateLimits {
  readonly perOrg: number;
  readonly perOrgQueue: number;
  readonly perProcess: number;
  readonly perProcessQueue: number;
}

/** The fields computed from several settings (or from a setting and others' values). */
interface Derived {
  readonly publicUrl: string;
  readonly issuer: string;
  readonly webhookEnvironment: string;
  /** From SECRETS_KEY or SECRETS_KEY_FILE; null when neither is set (SQLite then keeps a key file beside the database). */
  readonly secretsKey: Buffer | null;
  /** Heavy work admitted at once (docs/limits.md, Concurrency): per organization and per process. */
  readonly generationGate: WorkGateLimits;
  readonly exportGate: WorkGateLimits;
}

type Direct = {
  readonly [N in SettingName as (typeof SETTINGS)[N]['key'] extends string ? (typeof SETTINGS)[N]['key'] : never]: Parsed[N];
};

export type Config = Direct & Derived;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function derive(v: Parsed, problems: Problems): Derived {
  const urlHost = v.HOST.includes(':') ? `[${v.HOST}]` : v.HOST === '0.0.0.0' ? '127.0.0.1' : v.HOST;
  const publicUrl = v.PUBLIC_URL ?? `http://${urlHost}:${v.PORT}`;
  // A sandbox says so on every webhook (Uber's sandbox sends `X-Environment: Sandbox`); it may not claim otherwise.
  const webhookEnvironment = v.WEBHOOK_ENVIRONMENT ?? (v.VOUCHERD_ENVIRONMENT === 'sandbox' ? 'Sandbox' : 'production');
  if (v.VOUCHERD_ENVIRONMENT === 'sandbox' && webhookEnvironment.toLowerCase() !== 'sandbox') {
    problems.push(`WEBHOOK_ENVIRONMENT must be Sandbox (or unset) when VOUCHERD_ENVIRONMENT is sandbox (got "${webhookEnvironment}")`);
  }
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(webhookEnvironment)) problems.push(`WEBHOOK_ENVIRONMENT must be 1-64 letters, digits, '.', '_' or '-' (got "${webhookEnvironment}")`);
  return {
    publicUrl,
    issuer: v.OAUTH_ISSUER ?? publicUrl,
    webhookEnvironment,
    secretsKey: parseSecretsKey(v.SECRETS_KEY, v.SECRETS_KEY_FILE, problems),
    generationGate: { perOrg: v.GENERATION_CONCURRENCY_PER_ORG, perOrgQueue: v.GENERATION_QUEUE_PER_ORG, perProcess: v.GENERATION_CONCURRENCY, perProcessQueue: v.GENERATION_QUEUE },
    exportGate: { perOrg: v.EXPORT_CONCURRENCY_PER_ORG, perOrgQueue: v.EXPORT_QUEUE_PER_ORG, perProcess: v.EXPORT_CONCURRENCY, perProcessQueue: v.EXPORT_QUEUE },
  };
}

/** Limits that contradict each other. */
function crossChecks(v: Parsed, problems: Problems): void {
  if (v.MAX_CODES_PER_REQUEST > v.MAX_CODES_PER_PROGRAM) {
    problems.push(`MAX_CODES_PER_REQUEST (${v.MAX_CODES_PER_REQUEST}) cannot exceed MAX_CODES_PER_PROGRAM (${v.MAX_CODES_PER_PROGRAM})`);
  }
  if (v.HEADERS_TIMEOUT_MS > v.REQUEST_TIMEOUT_MS) problems.push(`HEADERS_TIMEOUT_MS (${v.HEADERS_TIMEOUT_MS}) cannot exceed REQUEST_TIMEOUT_MS (${v.REQUEST_TIMEOUT_MS})`);
}

export function loadConfig(env: Env = process.env): Config {
  const problems: Problems = [];
  const parsed: Record<string, unknown> = {};
  const direct: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(SETTINGS) as [SettingName, Setting<string | null, unknown>][]) {
    const value = env[name];
    parsed[name] = s.parse(value === undefined || value.trim() === '' ? undefined : value.trim(), name, problems);
    if (s.key !== null) direct[s.key] = parsed[name];
  }
  const values = parsed as Parsed;
  crossChecks(values, problems);
  const derived = derive(values, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({ ...direct, ...derived }) as Config;
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
