/**
 * Soak / model check (docs/guarantees.md): 2 `voucherd serve` processes on one PostgreSQL
 * schema, a random mix of create program / generate / retry with the same Idempotency-Key / claim /
 * cancel codes / cancel program / revoke token, while one process is SIGKILLed and restarted
 * periodically. Every request and its outcome go into a history; afterwards a checker verifies the
 * invariants (the Jepsen style: history + checker). A request cut by a kill has an unknown outcome:
 * the checker allows it either way, but an acknowledged one must be in the database.
 *
 *   npm run test:soak -- --duration=120      (seconds; or SOAK_SECONDS; default 120)
 *
 * Exits 1 when any violation is found. Real clock, real processes, loopback only.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.js';
import { createContext } from '../../src/context.js';
import { bootstrap } from '../../src/modules/oauth/bootstrap.service.js';
import { ensureBuilt } from '../helpers/build-dist.js';
import { createTestDatabase, TEST_SECRETS_KEY } from '../helpers/database.js';
import { claimViolations } from '../helpers/invariants.js';
import { startServerProcess, type ServerProcess } from '../helpers/processes.js';
import { createRiderApp, createRiders, type Rider } from '../helpers/riders.js';

const durationArg = process.argv.find((a) => a.startsWith('--duration='))?.slice('--duration='.length) ?? process.env.SOAK_SECONDS ?? '120';
const SECONDS = Number(durationArg);
if (!Number.isFinite(SECONDS) || SECONDS <= 0) throw new Error(`bad duration: ${durationArg}`);
const WORKERS = Number(process.env.SOAK_WORKERS ?? 6);
process.env.TEST_DATABASE_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const SERVER_ENV = {
  CLAIM_FAILURES_PER_CLIENT: '100000000',
  CLAIM_FAILURES_PER_RIDER: '100000000',
  CLAIM_FAILURES_PER_PROGRAM: '100000000',
  TOKEN_RATE_LIMIT: '1000000',
  MAX_LIVE_TOKENS_PER_CLIENT: '1000000',
};

type Outcome = number | 'unknown';
interface Event {
  op: string;
  server: number;
  start: number;
  end: number;
  outcome: Outcome;
  body?: any;
  info: Record<string, any>;
}

const history: Event[] = [];
const violations: string[] = [];
let kills = 0;
/** From the SIGKILL until the replacement answers /readyz: requests then may be cut or refused. */
const killWindows: { start: number; end: number }[] = [];

// The servers run the built bin/voucherd.js, as the test projects' do.
await ensureBuilt();
const testDb = await createTestDatabase();
const ctx = createContext(loadConfig({ SECRETS_KEY: TEST_SECRETS_KEY, DEMO_BOOTSTRAP: 'false' }), testDb.database);
const tenant = await bootstrap(ctx, { orgName: 'Soak', adminEmail: `soak-${process.pid}@example.com`, adminPassword: 'correct horse battery staple' });
const org = tenant.organization_id;
const basic = `Basic ${Buffer.from(`${tenant.client.client_id}:${tenant.client.client_secret}`).toString('base64')}`;
const servers: (ServerProcess | null)[] = await Promise.all([0, 1].map(() => startServerProcess({ DATABASE_URL: testDb.url, ...SERVER_ENV })));
const riders: Rider[] = await createRiders({ ctx, url: servers[0]!.url }, await createRiderApp(ctx), 12);

function pickServer(): number {
  const alive = servers.map((s, i) => (s ? i : -1)).filter((i) => i >= 0);
  return alive[randomInt(0, alive.length)]!;
}

async function call(op: string, info: Record<string, any>, method: string, path: string, headers: Record<string, string>, body?: string, serverIndex = pickServer()): Promise<Event> {
  const server = servers[serverIndex];
  const event: Event = { op, server: serverIndex, start: Date.now(), end: 0, outcome: 'unknown', info };
  history.push(event);
  try {
    if (!server) throw new Error('down');
    const res = await fetch(`${server.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(20_000) });
    const text = await res.text();
    event.outcome = res.status;
    event.body = text ? (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) : undefined;
    if (res.status >= 500 && res.status !== 503) violations.push(`${op} answered ${res.status}: ${text.slice(0, 200)}`);
  } catch {
    event.outcome = 'unknown';
  }
  event.end = Date.now();
  return event;
}

/** A service that never issues a token fails the soak instead of hanging it. */
const TOKEN_PATIENCE_MS = 30_000;

async function adminToken(): Promise<string> {
  const giveUp = Date.now() + TOKEN_PATIENCE_MS;
  while (Date.now() < giveUp) {
    const e = await call('token', {}, 'POST', '/oauth/v2/token', { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, 'grant_type=client_credentials');
    if (e.outcome === 200) return e.body.access_token as string;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no access token in ${TOKEN_PATIENCE_MS / 1000} s (last answers: ${history.slice(-3).map((e) => e.outcome).join(', ')})`);
}

let token = await adminToken();
const json = (t = token) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' });

interface KnownProgram {
  id: string;
  multi: boolean;
}
const programs: KnownProgram[] = [];
const sentGenerations: { programId: string; key: string; n: number }[] = [];

async function opCreate(): Promise<void> {
  const multi = randomInt(0, 3) > 0;
  const now = Date.now();
  const body = {
    name: `Soak ${history.length}`,
    currency_code: 'USD',
    starts_at: now - 60_000,
    ends_at: now + 86_400_000,
    value_per_trip_max_amount: 20,
    ...(multi ? { code_scheme: 'MULTI_CODE_SINGLE_REDEEM', number_of_codes: randomInt(1, 30) } : { code_scheme: 'SINGLE_CODE_MULTI_REDEEM', redemptions_per_code: randomInt(1, 6) }),
  };
  const e = await call('create', { body }, 'POST', `/v1/organizations/${org}/voucher-programs`, { ...json(), 'idempotency-key': randomBytes(8).toString('hex') }, JSON.stringify(body));
  if (e.outcome === 200) programs.push({ id: e.body.voucher_program_id, multi });
}

async function opGenerate(): Promise<void> {
  const p = programs.filter((x) => x.multi)[randomInt(0, Math.max(1, programs.filter((x) => x.multi).length))];
  if (!p) return;
  const key = randomBytes(8).toString('hex');
  const n = randomInt(1, 40);
  sentGenerations.push({ programId: p.id, key, n });
  await call('generate', { programId: p.id, key, n }, 'POST', `/v1/organizations/${org}/voucher-programs/${p.id}/codes/generate`, { ...json(), 'idempotency-key': key }, JSON.stringify({ number_of_codes: n }));
}

async function opRetry(): Promise<void> {
  if (sentGenerations.length === 0) return;
  const g = sentGenerations[randomInt(0, sentGenerations.length)]!;
  await call('generate', { programId: g.programId, key: g.key, n: g.n, retry: true }, 'POST', `/v1/organizations/${org}/voucher-programs/${g.programId}/codes/generate`, { ...json(), 'idempotency-key': g.key }, JSON.stringify({ number_of_codes: g.n }));
}

async function randomCode(): Promise<{ programId: string; id: string; text: string } | undefined> {
  if (programs.length === 0) return undefined;
  const p = programs[randomInt(0, programs.length)]!;
  const r = await sql<{ id: string; code_text: string }>`select id, code_text from voucher_codes where program_id = ${p.id} order by random() limit 1`.execute(testDb.database.db);
  const row = r.rows[0];
  return row ? { programId: p.id, id: row.id, text: row.code_text } : undefined;
}

async function opClaim(): Promise<void> {
  const code = await randomCode();
  if (!code) return;
  const riderIndex = randomInt(0, riders.length);
  const rider = riders[riderIndex]!;
  await call('claim', { ...code, userId: rider.userId }, 'POST', '/v1.2/me/vouchers/redeem', json(rider.token), JSON.stringify({ code_text: code.text }));
}

async function opCancelCodes(): Promise<void> {
  const code = await randomCode();
  if (!code) return;
  await call('cancel-codes', code, 'POST', `/v1/organizations/${org}/voucher-programs/${code.programId}/codes/cancel`, json(), JSON.stringify({ codes: [code.id] }));
}

async function opCancelProgram(): Promise<void> {
  if (programs.length < 4) return;
  const p = programs[randomInt(0, programs.length)]!;
  await call('cancel-program', { programId: p.id }, 'POST', `/v1/organizations/${org}/voucher-programs/${p.id}/cancel`, json(), '{}');
}

const revokedTokens: string[] = [];
async function opRevoke(): Promise<void> {
  const fresh = await adminToken();
  const used = await call('use-token', {}, 'POST', `/v1/organizations/${org}/voucher-programs/search`, json(fresh), '{}');
  if (used.outcome !== 'unknown' && used.outcome !== 200) violations.push(`fresh token refused before revocation: ${used.outcome}`);
  const e = await call('revoke', {}, 'POST', '/oauth/v2/revoke', { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, new URLSearchParams({ token: fresh }).toString());
  if (e.outcome !== 200) return;
  revokedTokens.push(fresh);
  // Right after the acknowledgement, on whichever process: the token is dead.
  const after = await call('use-revoked', {}, 'POST', `/v1/organizations/${org}/voucher-programs/search`, json(fresh), '{}');
  if (after.outcome !== 'unknown' && after.outcome !== 401) violations.push(`revoked token answered ${after.outcome} (expected 401)`);
}

const OPS: [number, () => Promise<void>][] = [
  [30, opClaim],
  [15, opGenerate],
  [10, opRetry],
  [10, opCreate],
  [6, opCancelCodes],
  [3, opCancelProgram],
  [5, opRevoke],
];
const WEIGHT = OPS.reduce((s, [w]) => s + w, 0);

const deadline = Date.now() + SECONDS * 1000;
async function worker(): Promise<void> {
  while (Date.now() < deadline) {
    let r = randomInt(0, WEIGHT);
    const op = OPS.find(([w]) => (r -= w) < 0)![1];
    try {
      await op();
    } catch (err) {
      violations.push(`driver error: ${(err as Error).message}`);
    }
  }
}

async function killer(): Promise<void> {
  const period = Math.round(Math.max(3_000, Math.min(15_000, (SECONDS * 1000) / 6)));
  while (Date.now() + period < deadline) {
    await new Promise((r) => setTimeout(r, randomInt(Math.floor(period / 2), period)));
    const i = randomInt(0, servers.length);
    const victim = servers[i];
    if (!victim) continue;
    const window = { start: Date.now(), end: Number.POSITIVE_INFINITY };
    killWindows.push(window);
    servers[i] = null;
    await victim.stop('SIGKILL');
    kills++;
    servers[i] = await startServerProcess({ DATABASE_URL: testDb.url, ...SERVER_ENV });
    window.end = Date.now();
  }
}

console.info(`[soak] ${SECONDS}s, ${WORKERS} workers, 2 processes on PostgreSQL (schema ${testDb.schema})`);
await Promise.all([killer(), ...Array.from({ length: WORKERS }, worker)]);
await Promise.all(servers.map((s) => s?.stop('SIGTERM')));

// ---------------------------------------------------------------- checker
const db = testDb.database.db;
violations.push(...(await claimViolations(testDb)));

// Acknowledged creates are present.
for (const e of history.filter((x) => x.op === 'create' && x.outcome === 200)) {
  const row = await db.selectFrom('voucher_programs').select(['id', 'total_number_of_codes']).where('id', '=', e.body.voucher_program_id).executeTakeFirst();
  if (!row) violations.push(`acknowledged program ${e.body.voucher_program_id} missing`);
}

// Acknowledged generations have their codes; idempotent retries executed once.
const byKey = new Map<string, Event[]>();
for (const e of history.filter((x) => x.op === 'generate')) byKey.set(e.info.key, [...(byKey.get(e.info.key) ?? []), e]);
for (const [key, events] of byKey) {
  const acked = events.filter((e) => e.outcome === 200);
  const ids = new Set(acked.map((e) => e.body.generation_id as string));
  if (ids.size > 1) violations.push(`key ${key}: ${ids.size} different generations acknowledged`);
  for (const id of ids) {
    const gen = await db.selectFrom('code_generations').select(['status', 'requested']).where('id', '=', id).executeTakeFirst();
    const rows = await db.selectFrom('voucher_codes').select(db.fn.countAll<number>().as('n')).where('generation_id', '=', id).executeTakeFirstOrThrow();
    if (!gen || gen.status !== 'COMPLETED' || Number(rows.n) !== events[0]!.info.n) violations.push(`acknowledged generation ${id}: ${gen?.status} with ${rows.n} codes, expected ${events[0]!.info.n}`);
  }
}
const keysPerProgram = new Map<string, { sent: number; acked: number }>();
for (const [, events] of byKey) {
  const p = events[0]!.info.programId as string;
  const k = keysPerProgram.get(p) ?? { sent: 0, acked: 0 };
  k.sent++;
  if (events.some((e) => e.outcome === 200)) k.acked++;
  keysPerProgram.set(p, k);
}
for (const [programId, k] of keysPerProgram) {
  // The create made one generation; each distinct key may make at most one more.
  const gens = await db.selectFrom('code_generations').select(db.fn.countAll<number>().as('n')).where('program_id', '=', programId).executeTakeFirstOrThrow();
  const extra = Number(gens.n) - 1;
  if (extra > k.sent || extra < k.acked) violations.push(`program ${programId}: ${extra} generations for ${k.sent} keys sent (${k.acked} acknowledged)`);
}

// Acknowledged claims have their voucher; no claim acknowledged after its code/program was canceled.
const vouchers = new Map((await db.selectFrom('vouchers').select(['id', 'user_id', 'code_id']).execute()).map((v) => [v.id, v]));
const canceledCodeAt = new Map<string, number>();
for (const e of history.filter((x) => x.op === 'cancel-codes' && x.outcome === 200)) {
  const failed = (e.body.cancelCodeFailures as unknown[]).length > 0;
  if (!failed) canceledCodeAt.set(e.info.id, e.end);
}
const canceledProgramAt = new Map<string, number>();
for (const e of history.filter((x) => x.op === 'cancel-program' && x.outcome === 204)) {
  if (!canceledProgramAt.has(e.info.programId)) canceledProgramAt.set(e.info.programId, e.end);
  const row = await db.selectFrom('voucher_programs').select('canceled_at').where('id', '=', e.info.programId).executeTakeFirstOrThrow();
  if (row.canceled_at === null) violations.push(`acknowledged cancel of program ${e.info.programId} not in the database`);
}
for (const [codeId] of canceledCodeAt) {
  const row = await db.selectFrom('voucher_codes').select('canceled_at').where('id', '=', codeId).executeTakeFirstOrThrow();
  if (row.canceled_at === null) violations.push(`acknowledged cancel of code ${codeId} not in the database`);
}
for (const e of history.filter((x) => x.op === 'claim' && x.outcome === 200)) {
  const v = vouchers.get(e.body.voucher_id);
  if (!v || v.user_id !== e.info.userId || v.code_id !== e.info.id) violations.push(`acknowledged claim ${e.body.voucher_id} missing or wrong`);
  const codeCanceled = canceledCodeAt.get(e.info.id);
  const programCanceled = canceledProgramAt.get(e.info.programId);
  if ((codeCanceled !== undefined && e.start > codeCanceled) || (programCanceled !== undefined && e.start > programCanceled)) {
    violations.push(`claim ${e.body.voucher_id} acknowledged though sent after its code or program was canceled`);
  }
}

// Revoked tokens stay rejected, on a fresh process.
const final = await startServerProcess({ DATABASE_URL: testDb.url, ...SERVER_ENV });
for (const t of revokedTokens) {
  const res = await fetch(`${final.url}/v1/organizations/${org}/voucher-programs/search`, { method: 'POST', headers: json(t), body: '{}' });
  if (res.status !== 401) violations.push(`revoked token answered ${res.status} at the end`);
}
await final.stop('SIGTERM');

const count = (op: string, f: (e: Event) => boolean = () => true) => history.filter((e) => e.op === op && f(e)).length;

// Progress: a service that refuses everything (503) or answers nothing breaks no invariant above, so
// the run must also show work done. Every operation kind succeeded at least MIN_SUCCESSES times ...
const MIN_SUCCESSES = 3;
const SUCCESS: Record<string, (e: Event) => boolean> = {
  create: (e) => e.outcome === 200,
  generate: (e) => e.outcome === 200 && e.info.retry !== true,
  'generate retry': (e) => e.outcome === 200 && e.info.retry === true,
  claim: (e) => e.outcome === 200,
  'cancel-codes': (e) => e.outcome === 200,
  'cancel-program': (e) => e.outcome === 204,
  'use-token': (e) => e.outcome === 200,
  revoke: (e) => e.outcome === 200,
};
const successes: Record<string, number> = {};
for (const [kind, ok] of Object.entries(SUCCESS)) {
  successes[kind] = history.filter((e) => e.op === kind.split(' ')[0] && ok(e)).length;
  if (successes[kind]! < MIN_SUCCESSES) violations.unshift(`progress: ${kind} succeeded ${successes[kind]} times (at least ${MIN_SUCCESSES} required)`);
}
// ... and outside the kill windows (where only the killed process's requests may fail), 503 stays rare:
// nothing else makes a live process refuse work (docs/guarantees.md, Database faults / Graceful shutdown).
const MAX_503_SHARE_OUTSIDE_KILLS = 0.01;
const inKillWindow = (e: Event) => killWindows.some((w) => e.end >= w.start && e.start <= w.end);
const outside = history.filter((e) => !inKillWindow(e));
const unavailable = outside.filter((e) => e.outcome === 503).length;
if (outside.length === 0) violations.unshift('progress: no request completed outside the kill windows');
else if (unavailable / outside.length > MAX_503_SHARE_OUTSIDE_KILLS)
  violations.unshift(`progress: ${unavailable} of ${outside.length} requests outside kill windows answered 503 (at most ${MAX_503_SHARE_OUTSIDE_KILLS * 100}% allowed)`);
const summary = {
  seconds: SECONDS,
  requests: history.length,
  unknown_outcomes: count('claim', (e) => e.outcome === 'unknown') + count('generate', (e) => e.outcome === 'unknown') + count('create', (e) => e.outcome === 'unknown'),
  kills,
  programs_acknowledged: count('create', (e) => e.outcome === 200),
  generations_acknowledged: count('generate', (e) => e.outcome === 200),
  idempotent_retries: count('generate', (e) => e.info.retry === true),
  claims_acknowledged: count('claim', (e) => e.outcome === 200),
  claims_refused: count('claim', (e) => typeof e.outcome === 'number' && e.outcome !== 200),
  codes_canceled: canceledCodeAt.size,
  programs_canceled: canceledProgramAt.size,
  tokens_revoked: revokedTokens.length,
  successes,
  requests_outside_kill_windows: outside.length,
  unavailable_outside_kill_windows: unavailable,
  violations: violations.length,
};
console.info(`[soak] summary ${JSON.stringify(summary)}`);
for (const v of violations.slice(0, 50)) console.error(`[soak] VIOLATION ${v}`);
await testDb.drop();
process.exit(violations.length === 0 && kills > 0 ? 0 : 1);
