import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/lib/errors.js';
import { authenticateBearer } from '../../../src/modules/access/authenticate.js';
import { assertRider, type RiderPrincipal } from '../../../src/modules/access/rider-access.js';
import { chargeClaimFailure } from '../../../src/modules/redemption/claim-budget.js';
import { claimByGeneralPath, claimByOneStatement } from '../../../src/modules/redemption/claim.service.js';

import { claimRows, multiCodeProgram, redeem, singleCodeProgram } from '../../helpers/claims.js';
import { testEngine } from '../../helpers/database.js';
import { bearer, createHarness, DAY, type Harness, type Tenant } from '../../helpers/harness.js';
import { createRider, createRiderApp } from '../../helpers/riders.js';

/**
 * One claim rule, two implementations: PostgreSQL claims a code in one statement
 * (claim-statement.repository.ts) and falls back to the general path (claim.service.ts) whenever that
 * statement claims nothing. The two must agree on every fixture: the statement claims exactly when
 * the general path would, with the same effects, and writes nothing otherwise. On SQLite only the
 * general path exists; it is held to the same table of expected outcomes.
 */

interface World {
  principal: RiderPrincipal;
  codeText: string;
  programId: string;
}

interface Scenario {
  name: string;
  /** The general path's answer: 'claimed', or the refusal's HTTP status and message key. */
  expected: 'claimed' | { status: number; messageKey: string };
  setup(h: Harness, tenant: Tenant): Promise<World>;
}

async function principalOf(h: Harness, token: string): Promise<RiderPrincipal> {
  return assertRider(await authenticateBearer(h.ctx, `Bearer ${token}`));
}

async function thirdPartyRider(h: Harness): Promise<{ principal: RiderPrincipal; token: string }> {
  const app = await createRiderApp(h.ctx);
  const rider = await createRider(h, app);
  return { principal: await principalOf(h, rider.token), token: rider.token };
}

async function oneCode(h: Harness, tenant: Tenant, overrides: Record<string, unknown> = {}) {
  const { programId, codes, codeIds } = await multiCodeProgram(h, tenant, 2, overrides);
  return { programId, codeText: codes[0]!, codeId: codeIds[0]!, otherCode: codes[1]! };
}

async function setProgramWindow(h: Harness, programId: string, startsAt: number, endsAt: number): Promise<void> {
  await h.ctx.database.db.updateTable('voucher_programs').set({ starts_at: startsAt, ends_at: endsAt }).where('id', '=', programId).execute();
}

const SCENARIOS: Scenario[] = [
  {
    name: 'an available single-redeem code of an active program',
    expected: 'claimed',
    async setup(h, tenant) {
      const { programId, codeText } = await oneCode(h, tenant);
      return { principal: (await thirdPartyRider(h)).principal, codeText, programId };
    },
  },
  {
    name: 'a single-redeem code another rider already claimed',
    expected: { status: 409, messageKey: 'code_already_redeemed' },
    async setup(h, tenant) {
      const { programId, codeText } = await oneCode(h, tenant);
      const first = await thirdPartyRider(h);
      expect((await redeem(h, first.token, codeText)).statusCode).toBe(200);
      return { principal: (await thirdPartyRider(h)).principal, codeText, programId };
    },
  },
  {
    name: 'a multi-redeem code with slots left',
    expected: 'claimed',
    async setup(h, tenant) {
      const { programId, codeText } = await singleCodeProgram(h, tenant, 3);
      const first = await thirdPartyRider(h);
      expect((await redeem(h, first.token, codeText)).statusCode).toBe(200);
      return { principal: (await thirdPartyRider(h)).principal, codeText, programId };
    },
  },
  {
    name: 'a multi-redeem code used up',
    expected: { status: 400, messageKey: 'redeem_count_exceeded' },
    async setup(h, tenant) {
      const { programId, codeText } = await singleCodeProgram(h, tenant, 2);
      for (let i = 0; i < 2; i += 1) expect((await redeem(h, (await thirdPartyRider(h)).token, codeText)).statusCode).toBe(200);
      return { principal: (await thirdPartyRider(h)).principal, codeText, programId };
    },
  },
  {
    name: 'a canceled code',
    expected: { status: 404, messageKey: 'code_not_found' },
    async setup(h, tenant) {
      const { programId, codeText, codeId } = await oneCode(h, tenant);
      const res = await h.app.inject({
        method: 'POST',
        url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}/codes/cancel`,
        headers: bearer(tenant.token),
        payload: { codes: [codeId] },
      });
      expect(res.statusCode).toBe(200);
      return { principal: (await thirdPartyRider(h)).principal, codeText, programId };
    },
  },
  {
    name: 'a code of a canceled program',
    expected: { status: 404, messageKey: 'code_not_found' },
    async setup(h, tenant) {
      const { programId, codeText } = await oneCode(h, tenant);
      const res = await h.app.inject({
        method: 'POST',
        url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}/cancel`,
        headers: bearer(tenant.token),
        payload: {},
      });
      expect(res.statusCode).toBe(204);
      return { principal: (await thirdPartyRider(h)).principal, codeText, programId };
    },
  },
  {
    name: 'a code of a program that has not started',
    expected: { status: 400, messageKey: 'voucher_program_inactive' },
    async setup(h, tenant) {
      const now = h.clock.now();
      const { programId, codeText } = await oneCode(h, tenant, { starts_at: now + DAY, ends_at: now + 10 * DAY });
      return { principal: (await thirdPartyRider(h)).principal, codeText, programId };
    },
  },
  {
    name: 'a code of a program that has ended',
    expected: { status: 400, messageKey: 'voucher_program_inactive' },
    async setup(h, tenant) {
      const { programId, codeText } = await oneCode(h, tenant);
      const now = h.clock.now();
      await setProgramWindow(h, programId, now - 10 * DAY, now - DAY);
      return { principal: (await thirdPartyRider(h)).principal, codeText, programId };
    },
  },
  {
    name: 'the last millisecond of the program window',
    expected: 'claimed',
    async setup(h, tenant) {
      const { programId, codeText } = await oneCode(h, tenant);
      const now = h.clock.now();
      await setProgramWindow(h, programId, now - DAY, now + 1);
      return { principal: (await thirdPartyRider(h)).principal, codeText, programId };
    },
  },
  {
    name: 'a rider who already holds a voucher of the program',
    expected: { status: 409, messageKey: 'program_already_claimed' },
    async setup(h, tenant) {
      const { programId, codeText, otherCode } = await oneCode(h, tenant);
      const rider = await thirdPartyRider(h);
      expect((await redeem(h, rider.token, otherCode)).statusCode).toBe(200);
      return { principal: rider.principal, codeText, programId };
    },
  },
  {
    name: "a first-party rider app of another organization",
    expected: { status: 404, messageKey: 'code_not_found' },
    async setup(h, tenant) {
      const { programId, codeText } = await oneCode(h, tenant);
      const other = await h.seedTenant();
      const app = await createRiderApp(h.ctx, other.organizationId);
      const rider = await createRider(h, app);
      return { principal: await principalOf(h, rider.token), codeText, programId };
    },
  },
  {
    name: "a first-party rider app of the code's own organization",
    expected: 'claimed',
    async setup(h, tenant) {
      const { programId, codeText } = await oneCode(h, tenant);
      const app = await createRiderApp(h.ctx, tenant.organizationId);
      const rider = await createRider(h, app);
      return { principal: await principalOf(h, rider.token), codeText, programId };
    },
  },
  {
    name: 'a rider whose failed-claim budget is spent',
    expected: { status: 429, messageKey: 'claims_rate_limited' },
    async setup(h, tenant) {
      const { programId, codeText } = await oneCode(h, tenant);
      const { principal } = await thirdPartyRider(h);
      for (let i = 0; i < h.ctx.config.claimFailuresPerRider; i += 1) await chargeClaimFailure(h.ctx, [{ kind: 'rider', id: principal.userId }]);
      return { principal, codeText, programId };
    },
  },
];

type Outcome = { claimed: true; effects: Effects } | { claimed: false; status: number; messageKey: string };

interface Effects {
  riderVouchers: number;
  redemptions: number;
  claimCount: number;
  event: Record<string, unknown> | undefined;
}

/** What a claim left behind for the program, with the new voucher's id replaced by a marker. */
async function effectsOf(h: Harness, world: World, voucherId: string): Promise<Effects> {
  const rows = await claimRows(h, world.programId);
  const event = rows.events.find((e) => e.voucher_id === voucherId);
  return {
    riderVouchers: rows.vouchers.filter((v) => v.user_id === world.principal.userId && v.id === voucherId).length,
    redemptions: rows.redemptions,
    claimCount: rows.claimCount,
    event: event && { ...event, voucher_id: 'the new voucher', code_id: typeof event.code_id },
  };
}

async function general(h: Harness, world: World): Promise<Outcome> {
  try {
    const result = await claimByGeneralPath(h.ctx, world.principal, world.codeText, h.clock.now());
    return { claimed: true, effects: await effectsOf(h, world, result.voucher_id) };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { claimed: false, status: err.status, messageKey: err.messageKey };
  }
}

describe('one claim rule: the general path decides as documented on every fixture', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h.close());

  for (const scenario of SCENARIOS) {
    it(scenario.name, async () => {
      const world = await scenario.setup(h, await h.seedTenant());
      const outcome = await general(h, world);
      if (scenario.expected === 'claimed') {
        expect(outcome.claimed).toBe(true);
        if (outcome.claimed) expect(outcome.effects.riderVouchers).toBe(1);
      } else {
        expect(outcome).toEqual({ claimed: false, ...scenario.expected });
      }
    });
  }
});

// The one-statement path exists only on PostgreSQL; on SQLite there is nothing to compare.
if (testEngine() === 'postgres') describe('one claim rule: the one-statement path agrees with the general path (PostgreSQL)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h.close());

  /** Everything the statement could write, for "it claimed nothing and wrote nothing". */
  async function footprint(world: World) {
    const rows = await claimRows(h, world.programId);
    const failures = await h.ctx.database.db.selectFrom('claim_failures').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    return { ...rows, failures: Number(failures.n) };
  }

  for (const scenario of SCENARIOS) {
    it(scenario.name, async () => {
      // Two identical worlds, one per path.
      const viaStatement = await scenario.setup(h, await h.seedTenant());
      const viaGeneral = await scenario.setup(h, await h.seedTenant());

      const before = await footprint(viaStatement);
      const fast = await claimByOneStatement(h.ctx, viaStatement.principal, viaStatement.codeText, h.clock.now()).catch((err: unknown) => err);
      const after = await footprint(viaStatement);
      const reference = await general(h, viaGeneral);

      if (reference.claimed) {
        expect(fast, 'the statement claims whenever the general path does').toMatchObject({ program_id: viaStatement.programId });
        const effects = await effectsOf(h, viaStatement, (fast as { voucher_id: string }).voucher_id);
        expect(effects).toEqual(reference.effects);
      } else {
        // Declining is either no row or an aborted statement (the one-voucher-per-rider index).
        if (fast !== undefined) expect(String((fast as { code?: string }).code)).toBe('23505');
        expect(after, 'a declined statement writes nothing').toEqual(before);
      }
    });
  }
});
