import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODE_ALPHABET } from '../../../src/lib/codes.js';
import { REDEEM_CLIENT_ID } from '../../../src/modules/redemption/redeem-client.js';
import { RIDER_SESSION_COOKIE } from '../../../src/modules/redemption/redeem-page.routes.js';
import { claimRows, multiCodeProgram } from '../../helpers/claims.js';
import { createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { burst, countStatuses, listenReal, type RealHttp } from '../../helpers/http-burst.js';
import { approveViaForms, browser, rider } from '../../helpers/oauth-flow.js';
import { createRider, createRiderApp, createRiders, type Rider } from '../../helpers/riders.js';

const PER_RIDER = 20;
const PER_CLIENT = 60;
const PER_PROGRAM = 50;
const PER_ADDRESS = 30;
let h: Harness;
let tenant: Tenant;
let http: RealHttp;

beforeAll(async () => {
  h = await createHarness({
    env: {
      CLAIM_FAILURES_PER_RIDER: String(PER_RIDER),
      CLAIM_FAILURES_PER_CLIENT: String(PER_CLIENT),
      CLAIM_FAILURES_PER_PROGRAM: String(PER_PROGRAM),
      CLAIM_FAILURES_PER_ADDRESS: String(PER_ADDRESS),
    },
  });
  tenant = await h.seedTenant();
  http = await listenReal(h);
});
afterAll(async () => {
  await http?.close();
  await h.close();
});

let seq = 0;
/** A well-formed code (valid check symbol) that names no code: a guess. */
function guess(): string {
  seq += 1;
  const body = Array.from({ length: 12 }, (_, i) => CODE_ALPHABET[(seq * 7 + i * 13 + Math.floor(seq / 31) * 3 + Math.floor(seq / 961)) % 31]!).join('');
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (i + 1) * CODE_ALPHABET.indexOf(body[i]!);
  for (let c = 0; c < 31; c++) if ((sum + 13 * c) % 31 === 0) return body + CODE_ALPHABET[c];
  throw new Error('unreachable');
}

async function claim(rider: Rider, code: string): Promise<number> {
  const res = await http.send('POST', '/v1.2/me/vouchers/redeem', {
    headers: { authorization: `Bearer ${rider.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ code_text: code }),
  });
  return res.status;
}

/** Failed claims charged to a bucket ('rider:…', 'client:…', 'program:…', 'address:…'). */
async function charged(bucket: string): Promise<number> {
  const rows = await h.ctx.database.db.selectFrom('claim_failures').select('id').where('bucket', '=', bucket).execute();
  return rows.length;
}

describe('H2: failed-claim budgets under parallel bursts (real HTTP)', () => {
  it("one rider's 300 parallel wrong codes: exactly the rider's budget is charged and answered 404, the rest 429", async () => {
    const app = await createRiderApp(h.ctx);
    const guesser = await createRider(h, app);
    const counts = countStatuses(await burst(300, () => claim(guesser, guess())));
    expect(counts).toEqual({ 404: PER_RIDER, 429: 300 - PER_RIDER });
    expect(await charged(`rider:${guesser.userId}`)).toBe(PER_RIDER);
    expect(await charged(`client:${app.client_id}`)).toBe(PER_RIDER);
  });

  it("riders hammering a redeemed code never overshoot a budget, and never turn another rider's valid claim into 429", async () => {
    const app = await createRiderApp(h.ctx);
    const { programId, codes } = await multiCodeProgram(h, tenant, 2);
    const [owner, ...hammers] = await createRiders(h, app, 6);
    expect(await claim(owner!, codes[0]!)).toBe(200);
    h.clock.advance(5000); // the code is long redeemed: hammering it is not a race
    const statuses = await burst(300, (i) => claim(hammers[i % hammers.length]!, codes[0]!));
    const counts = countStatuses(statuses);
    expect((counts[409] ?? 0) + (counts[429] ?? 0)).toBe(300);
    expect(counts[409]).toBe(PER_PROGRAM); // the program's budget, spent exactly
    expect(await charged(`program:${programId}`)).toBe(PER_PROGRAM);
    for (const r of hammers) expect(await charged(`rider:${r.userId}`)).toBeLessThanOrEqual(PER_RIDER);
    expect(await charged(`client:${app.client_id}`)).toBeLessThanOrEqual(PER_CLIENT);
    // An innocent rider of the same app: a valid code of that program, and of a fresh program.
    const innocent = await createRider(h, app);
    expect(await claim(innocent, codes[1]!)).toBe(200);
    const fresh = await multiCodeProgram(h, tenant, 1);
    const another = await createRider(h, app);
    expect(await claim(another, fresh.codes[0]!)).toBe(200);
    expect((await claimRows(h, programId)).vouchers).toHaveLength(2);
  });

  it('contention charges nothing: 30 riders racing for one single-redeem code → 1 × 200, 29 × 409, no failure recorded', async () => {
    const app = await createRiderApp(h.ctx);
    const { programId, codes } = await multiCodeProgram(h, tenant, 1);
    const riders = await createRiders(h, app, 30);
    const counts = countStatuses(await burst(riders.length, (i) => claim(riders[i]!, codes[0]!)));
    expect(counts).toEqual({ 200: 1, 409: 29 });
    for (const r of riders) expect(await charged(`rider:${r.userId}`)).toBe(0);
    expect(await charged(`client:${app.client_id}`)).toBe(0);
    expect(await charged(`program:${programId}`)).toBe(0);
  });
});

describe('what counts as contention', () => {
  it("a rider's parallel claims of two codes of one program: one voucher, the other 409, nothing charged; a later retry is charged", async () => {
    const app = await createRiderApp(h.ctx);
    const { codes } = await multiCodeProgram(h, tenant, 3);
    const rider = await createRider(h, app);
    const counts = countStatuses(await burst(2, (i) => claim(rider, codes[i]!)));
    expect(counts).toEqual({ 200: 1, 409: 1 });
    expect(await charged(`rider:${rider.userId}`)).toBe(0);
    h.clock.advance(5000);
    expect(await claim(rider, codes[2]!)).toBe(409);
    expect(await charged(`rider:${rider.userId}`)).toBe(1);
  });
});

describe('the built-in /redeem page budgets per rider and per address, not per its one client', () => {
  /**
   * A rider signed in through the page's own flow ("Sign in to claim" → sign-in and consent pages →
   * the callback's code exchange): the session cookie holds a token of the page's built-in client.
   */
  async function pageRider(): Promise<{ userId: string; post: (code: string) => Promise<number> }> {
    const account = await rider(h);
    const b = browser(h);
    const start = await b.get(`/redeem/${guess()}/sign-in`);
    if (start.statusCode !== 303) throw new Error(`redeem sign-in start: ${start.statusCode} ${start.body}`);
    const params = Object.fromEntries(new URL(start.headers.location as string, h.ctx.config.issuer).searchParams);
    const back = await approveViaForms(h, params, { email: account.email }, b);
    const callback = await b.get(back.pathname + back.search);
    const token = b.jar.cookies.get(RIDER_SESSION_COOKIE);
    if (callback.statusCode !== 303 || !token) throw new Error(`redeem sign-in callback: ${callback.statusCode} without a rider session (${back.search})`);
    // The form's CSRF token, as the signed-in page hands it out (bound to the rider's session).
    const form = await http.send('GET', `/redeem/${guess()}`, { headers: { cookie: `${RIDER_SESSION_COOKIE}=${token}` } });
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(form.body)?.[1];
    if (!csrf) throw new Error(`redeem page without a form: ${form.status}`);
    return {
      userId: account.userId,
      async post(code) {
        const res = await http.send('POST', `/redeem/${code}`, {
          headers: { cookie: `${RIDER_SESSION_COOKIE}=${token}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ csrf_token: csrf }).toString(),
        });
        return res.status;
      },
    };
  }

  it("12 guessing accounts on one address: their failures are throttled by rider and address; the page's client budget stays untouched and a valid claim still works", async () => {
    h.clock.advance(h.ctx.config.claimFailureWindowSeconds * 1000); // budgets of earlier tests have left the window
    const guessers: Awaited<ReturnType<typeof pageRider>>[] = [];
    for (let i = 0; i < 12; i += 4) guessers.push(...(await Promise.all(Array.from({ length: 4 }, () => pageRider()))));
    const statuses = await burst(12 * 10, (i) => guessers[i % 12]!.post(guess()));
    const counts = countStatuses(statuses);
    expect(counts).toEqual({ 404: PER_ADDRESS, 429: 12 * 10 - PER_ADDRESS });
    expect(await charged('address:127.0.0.1')).toBe(PER_ADDRESS);
    expect(await charged(`client:${REDEEM_CLIENT_ID}`)).toBe(0);
    const { codes } = await multiCodeProgram(h, tenant, 1);
    const honest = await pageRider();
    expect(await honest.post(codes[0]!)).toBe(200);
  });
});
