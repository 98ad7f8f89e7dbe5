import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimRows, multiCodeProgram, redeem, singleCodeProgram, statuses } from '../../helpers/claims.js';
import { createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { createRiderApp, createRiders, type Rider } from '../../helpers/riders.js';

// Budgets out of the way: these tests prove exactly-once, not the guessing defense (claim.budget.test.ts).
const HIGH = { CLAIM_FAILURES_PER_CLIENT: '100000000', CLAIM_FAILURES_PER_RIDER: '100000000', CLAIM_FAILURES_PER_PROGRAM: '100000000' };
const TRIALS = 20;

let h: Harness;
let tenant: Tenant;
let riders: Rider[];

beforeAll(async () => {
  h = await createHarness({ env: HIGH });
  tenant = await h.seedTenant();
  riders = await createRiders(h, await createRiderApp(h.ctx), 50);
});
afterAll(async () => h.close());

describe('D1: 50 concurrent claims of one single-redeem code (docs/redemption.md exactly once)', () => {
  it(`exactly 1 success, 49 × 409 code_already_redeemed, one redemption row — ${TRIALS} trials`, async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      const { programId, codes } = await multiCodeProgram(h, tenant, 1);
      const responses = await Promise.all(riders.map((r) => redeem(h, r.token, codes[0]!)));
      expect(statuses(responses), `trial ${trial}`).toEqual({ '200': 1, '409 code_already_redeemed': 49 });
      const winner = responses.findIndex((r) => r.statusCode === 200);
      const rows = await claimRows(h, programId);
      expect(rows.vouchers).toHaveLength(1);
      expect(rows.vouchers[0]!.id).toBe(responses[winner]!.json().voucher_id);
      expect(rows.vouchers[0]!.user_id).toBe(riders[winner]!.userId);
      expect(rows.redemptions).toBe(1);
      expect(rows.claimCount).toBe(1);
      expect(rows.events).toHaveLength(1);
      expect(rows.events[0]!.voucher_id).toBe(rows.vouchers[0]!.id);
    }
  });
});

describe('D2: multi-redeem code, 3k concurrent distinct riders (docs/redemption.md)', () => {
  it(`exactly k successes, the rest 400 redeem_count_exceeded — ${TRIALS} trials`, async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      const k = 1 + (trial % 5) + (trial % 5 === 0 ? 1 : 0); // k in 2..5 (k = 1 is D1's case)
      const { programId, codeText } = await singleCodeProgram(h, tenant, k);
      const responses = await Promise.all(riders.slice(0, 3 * k).map((r) => redeem(h, r.token, codeText)));
      expect(statuses(responses), `trial ${trial}, k=${k}`).toEqual({ '200': k, '400 redeem_count_exceeded': 2 * k });
      const rows = await claimRows(h, programId);
      expect(rows.vouchers).toHaveLength(k);
      expect(new Set(rows.vouchers.map((v) => v.user_id)).size).toBe(k);
      expect(rows.redemptions).toBe(k);
      expect(rows.claimCount).toBe(k);
      expect(rows.events).toHaveLength(k);
      // Used up: the next rider is refused too.
      const late = await redeem(h, riders[3 * k]!.token, codeText);
      expect(late.statusCode).toBe(400);
      expect(late.json().code).toBe('redeem_count_exceeded');
    }
  });

  it('one rider cannot claim a program twice, not even concurrently', async () => {
    const { programId, codeText } = await singleCodeProgram(h, tenant, 5);
    const rider = riders[0]!;
    const responses = await Promise.all(Array.from({ length: 10 }, () => redeem(h, rider.token, codeText)));
    expect(statuses(responses)).toEqual({ '200': 1, '409 code_already_redeemed': 9 });
    const again = await redeem(h, rider.token, codeText);
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toBe('You have already claimed a voucher of this program.');
    const rows = await claimRows(h, programId);
    expect(rows.vouchers).toHaveLength(1);
    expect(rows.redemptions).toBe(1);
    expect(rows.claimCount).toBe(1);
  });

  it('one rider cannot claim two codes of one MULTI_CODE program', async () => {
    const { programId, codes } = await multiCodeProgram(h, tenant, 2);
    const first = await redeem(h, riders[1]!.token, codes[0]!);
    expect(first.statusCode).toBe(200);
    const second = await redeem(h, riders[1]!.token, codes[1]!);
    expect(second.statusCode).toBe(409);
    const rows = await claimRows(h, programId);
    expect(rows.vouchers).toHaveLength(1);
    // The refused claim rolled back: the second code is still available for someone else.
    expect(rows.redemptions).toBe(1);
    const other = await redeem(h, riders[2]!.token, codes[1]!);
    expect(other.statusCode).toBe(200);
  });
});
