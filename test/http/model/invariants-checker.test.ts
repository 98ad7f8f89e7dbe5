import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { multiCodeProgram, redeem } from '../../helpers/claims.js';
import { claimViolations } from '../../helpers/invariants.js';
import { createRiderApp, createRiders } from '../../helpers/riders.js';

/**
 * The checker shared by the crash, model and soak suites must be able to fail: each invariant it
 * reads is broken on purpose (straight in the database) and must be reported.
 */
let h: Harness;
let tenant: Tenant;

beforeAll(async () => {
  h = await createHarness();
  tenant = await h.seedTenant('Checker');
});
afterAll(async () => {
  await h?.close();
});

describe('claimViolations (the invariant checker) detects every broken invariant', () => {
  it('clean state → no violation; each tampering → its violation', async () => {
    const db = h.ctx.database.db;
    const [rider, other] = await createRiders(h, await createRiderApp(h.ctx), 2);
    const { programId, codes, codeIds } = await multiCodeProgram(h, tenant, 3);
    expect((await redeem(h, rider!.token, codes[0]!)).statusCode).toBe(200);
    expect(await claimViolations(h.testDb)).toEqual([]);

    // redemption_count > max_num_redemptions cannot even be written: a CHECK constraint refuses it.
    await expect(db.updateTable('voucher_codes').set({ redemption_count: 2 }).where('id', '=', codeIds[0]!).execute()).rejects.toThrow(/voucher_codes_redemptions|check/i);
    await db.updateTable('voucher_codes').set({ redemption_count: 0 }).where('id', '=', codeIds[1]!).execute();
    await db.updateTable('voucher_codes').set({ redemption_count: 1 }).where('id', '=', codeIds[1]!).execute();
    expect((await claimViolations(h.testDb)).join('\n')).toMatch(/0 vouchers but redemption_count 1/);
    await db.updateTable('voucher_codes').set({ redemption_count: 0 }).where('id', '=', codeIds[1]!).execute();

    // (The claim count is the column plus counter shards: tamper relative to what is stored.)
    const { usage_voucher_claim_count: stored } = await db.selectFrom('voucher_programs').select('usage_voucher_claim_count').where('id', '=', programId).executeTakeFirstOrThrow();
    await db.updateTable('voucher_programs').set({ usage_voucher_claim_count: Number(stored) + 4 }).where('id', '=', programId).execute();
    expect((await claimViolations(h.testDb)).join('\n')).toMatch(/usage_voucher_claim_count 5 but 1 vouchers/);
    await db.updateTable('voucher_programs').set({ usage_voucher_claim_count: Number(stored) }).where('id', '=', programId).execute();

    await db.updateTable('voucher_programs').set({ total_number_of_codes: 4 }).where('id', '=', programId).execute();
    expect((await claimViolations(h.testDb)).join('\n')).toMatch(/total_number_of_codes 4 but 3 code rows/);
    await db.updateTable('voucher_programs').set({ total_number_of_codes: 3 }).where('id', '=', programId).execute();

    const event = await db.selectFrom('outbox_events').selectAll().where('event_type', '=', 'voucher_program_code_claimed').executeTakeFirstOrThrow();
    await db.insertInto('outbox_events').values({ ...event, id: h.ctx.ids.next() }).execute();
    expect((await claimViolations(h.testDb)).join('\n')).toMatch(/2 claimed events/);
    await db.deleteFrom('outbox_events').where('event_type', '=', 'voucher_program_code_claimed').execute();
    expect((await claimViolations(h.testDb)).join('\n')).toMatch(/0 claimed events/);
    await db.insertInto('outbox_events').values(event).execute();

    // A second voucher for the code: more vouchers than the counter says.
    const v = await db.selectFrom('vouchers').selectAll().executeTakeFirstOrThrow();
    await db.insertInto('vouchers').values({ ...v, id: h.ctx.ids.next(), user_id: other!.userId }).execute();
    expect((await claimViolations(h.testDb)).join('\n')).toMatch(/2 vouchers but redemption_count 1/);
  });
});
