import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODE_ALPHABET } from '../../../src/lib/codes.js';
import { claimRows, multiCodeProgram, redeem } from '../../helpers/claims.js';
import { createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { createRider, createRiderApp } from '../../helpers/riders.js';

const WINDOW_S = 60;
let h: Harness;
let tenant: Tenant;

beforeAll(async () => {
  h = await createHarness({
    env: { CLAIM_FAILURE_WINDOW_SECONDS: String(WINDOW_S), CLAIM_FAILURES_PER_RIDER: '3', CLAIM_FAILURES_PER_CLIENT: '6', CLAIM_FAILURES_PER_PROGRAM: '4' },
  });
  tenant = await h.seedTenant();
});
afterAll(async () => h.close());

let seq = 0;
/** A well-formed code (valid check symbol) that names no code: a guess. */
function guess(): string {
  seq += 1;
  const body = Array.from({ length: 12 }, (_, i) => CODE_ALPHABET[(seq * 7 + i * 13 + Math.floor(seq / 31)) % 31]!).join('');
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (i + 1) * CODE_ALPHABET.indexOf(body[i]!);
  for (let c = 0; c < 31; c++) if ((sum + 13 * c) % 31 === 0) return body + CODE_ALPHABET[c];
  throw new Error('unreachable');
}

function expect429(res: Awaited<ReturnType<typeof redeem>>, maxSeconds = WINDOW_S): number {
  expect(res.statusCode, res.body).toBe(429);
  expect(res.json().code).toBe('rate_limited');
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(maxSeconds);
  return retryAfter;
}

describe('failed-claim budgets → 429 rate_limited with Retry-After', () => {
  it('per rider: past the budget even a valid code is refused; another rider still claims; the window passing restores it', async () => {
    const app = await createRiderApp(h.ctx);
    const guesser = await createRider(h, app);
    const other = await createRider(h, app);
    const { programId, codes } = await multiCodeProgram(h, tenant, 2);
    for (let i = 0; i < 3; i++) {
      const res = await redeem(h, guesser.token, guess());
      expect(res.statusCode).toBe(404);
      h.clock.advance(10_000);
    }
    // Failures at t, t+10 s, t+20 s; now t+30 s: the oldest leaves the window in 30 s.
    expect(expect429(await redeem(h, guesser.token, codes[0]!))).toBe(30);
    expect((await claimRows(h, programId)).redemptions).toBe(0);
    expect((await redeem(h, other.token, codes[1]!)).statusCode).toBe(200);
    h.clock.advance(30_000);
    expect((await redeem(h, guesser.token, codes[0]!)).statusCode).toBe(200);
    expect((await claimRows(h, programId)).redemptions).toBe(2);
  });

  it('per client: riders of one app share its budget for failures; a valid claim by another rider still succeeds', async () => {
    const app = await createRiderApp(h.ctx);
    const guessers = [await createRider(h, app), await createRider(h, app), await createRider(h, app)];
    for (const g of guessers) for (let i = 0; i < 2; i++) expect((await redeem(h, g.token, guess())).statusCode).toBe(404);
    const honest = await createRider(h, app);
    const { programId, codes } = await multiCodeProgram(h, tenant, 1);
    // The app's budget is spent: a failing claim is throttled, a valid one is not.
    expect429(await redeem(h, honest.token, guess()));
    expect((await redeem(h, honest.token, codes[0]!)).statusCode).toBe(200);
    // Another app's riders are unaffected, failures included.
    const otherApp = await createRiderApp(h.ctx);
    const stranger = await createRider(h, otherApp);
    expect((await redeem(h, stranger.token, guess())).statusCode).toBe(404);
    h.clock.advance(WINDOW_S * 1000);
    expect((await redeem(h, honest.token, guess())).statusCode).toBe(404);
    expect((await claimRows(h, programId)).vouchers).toHaveLength(1);
  });

  it('per program: failed claims on a program spend its budget across riders and apps; its valid codes still claim', async () => {
    const { programId, codes } = await multiCodeProgram(h, tenant, 2);
    const first = await createRider(h, await createRiderApp(h.ctx));
    expect((await redeem(h, first.token, codes[0]!)).statusCode).toBe(200);
    h.clock.advance(2000); // later than a race with that claim could be
    for (let i = 0; i < 4; i++) {
      const r = await createRider(h, await createRiderApp(h.ctx));
      const res = await redeem(h, r.token, codes[0]!);
      expect(res.statusCode).toBe(409);
    }
    const late = await createRider(h, await createRiderApp(h.ctx));
    expect429(await redeem(h, late.token, codes[0]!));
    expect((await redeem(h, late.token, codes[1]!)).statusCode).toBe(200);
    h.clock.advance(WINDOW_S * 1000);
    const later = await createRider(h, await createRiderApp(h.ctx));
    expect((await redeem(h, later.token, codes[0]!)).statusCode).toBe(409);
    expect((await claimRows(h, programId)).vouchers).toHaveLength(2);
  });

  it('budgets live in the database: a second app instance on the same database sees them', async () => {
    const { buildApp } = await import('../../../src/app.js');
    const second = await buildApp(h.ctx);
    try {
      const rider = await createRider(h, await createRiderApp(h.ctx));
      for (let i = 0; i < 3; i++) expect((await redeem(h, rider.token, guess())).statusCode).toBe(404);
      const res = await second.inject({ method: 'POST', url: '/v1.2/me/vouchers/redeem', headers: { authorization: `Bearer ${rider.token}` }, payload: { code_text: guess() } });
      expect(res.statusCode).toBe(429);
      const rows = await h.ctx.database.db.selectFrom('claim_failures').select('id').where('bucket', '=', `rider:${rider.userId}`).execute();
      expect(rows).toHaveLength(3);
    } finally {
      await second.close();
    }
  });
});

describe('claim-failure sweep (background worker)', () => {
  it('drops failures that left the window and keeps the rest', async () => {
    const { claimFailureSweep } = await import('../../../src/modules/redemption/claim-failure.sweep.js');
    const db = h.ctx.database.db;
    const now = h.clock.now();
    await db
      .insertInto('claim_failures')
      .values([
        { id: h.ctx.ids.next(), bucket: 'rider:sweep-old', created_at: now - WINDOW_S * 1000 },
        { id: h.ctx.ids.next(), bucket: 'rider:sweep-new', created_at: now - WINDOW_S * 1000 + 1 },
      ])
      .execute();
    await claimFailureSweep.run(h.ctx, new AbortController().signal);
    const left = await db.selectFrom('claim_failures').select('bucket').where('bucket', 'like', 'rider:sweep-%').execute();
    expect(left.map((r) => r.bucket)).toEqual(['rider:sweep-new']);
  });
});
