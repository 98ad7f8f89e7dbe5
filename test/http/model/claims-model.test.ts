import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { redeem, singleCodeProgram } from '../../helpers/claims.js';
import { claimViolations } from '../../helpers/invariants.js';
import { createRiderApp, createRiders, type Rider } from '../../helpers/riders.js';

/**
 * Model-based test (fast-check `fc.commands`): random sequences of create program / generate /
 * claim / cancel codes / cancel program against the in-process app, mirrored on a tiny in-memory
 * model. After every command the answer must match the model's prediction and every database
 * invariant must hold (unique codes, totals = rows, claim exactly once, one claim per rider and
 * program, counters = rows, one claimed event per voucher).
 */
interface ModelCode {
  id: string;
  text: string;
  max: number;
  claimedBy: Set<number>;
  canceled: boolean;
}
interface ModelProgram {
  id: string;
  multi: boolean;
  canceled: boolean;
  codes: ModelCode[];
  riders: Set<number>;
}
interface Model {
  programs: ModelProgram[];
}
interface Real {
  h: Harness;
  tenant: Tenant;
  riders: Rider[];
}

let h: Harness;
let tenant: Tenant;
let riders: Rider[];

beforeAll(async () => {
  h = await createHarness({
    env: { CLAIM_FAILURES_PER_CLIENT: '100000000', CLAIM_FAILURES_PER_RIDER: '100000000', CLAIM_FAILURES_PER_PROGRAM: '100000000' },
  });
  tenant = await h.seedTenant('Model');
  riders = await createRiders(h, await createRiderApp(h.ctx), 3);
});
afterAll(async () => {
  await h?.close();
});

const base = (r: Real, programId: string) => `/v1/organizations/${r.tenant.organizationId}/voucher-programs/${programId}`;

async function codesOf(r: Real, programId: string, generationId?: string): Promise<{ id: string; code_text: string; max_num_redemptions: number }[]> {
  let q = r.h.ctx.database.db.selectFrom('voucher_codes').select(['id', 'code_text', 'max_num_redemptions']).where('program_id', '=', programId);
  if (generationId) q = q.where('generation_id', '=', generationId);
  return q.orderBy('id').execute();
}

let executed = 0;
const outcomes = new Map<string, number>();

async function checkAgainstModel(m: Model, r: Real): Promise<void> {
  executed++;
  expect(await claimViolations(r.h.testDb)).toEqual([]);
  const db = r.h.ctx.database.db;
  for (const p of m.programs) {
    const vouchers = await db.selectFrom('vouchers').select(['user_id', 'code_id']).where('program_id', '=', p.id).execute();
    const expected = p.codes.flatMap((c) => [...c.claimedBy].map((i) => `${r.riders[i]!.userId}:${c.id}`)).sort();
    expect(vouchers.map((v) => `${v.user_id}:${v.code_id}`).sort()).toEqual(expected);
    const rows = await db.selectFrom('voucher_codes').select(['id', 'canceled_at']).where('program_id', '=', p.id).execute();
    expect(rows.length).toBe(p.codes.length);
    const canceled = new Set(rows.filter((x) => x.canceled_at !== null).map((x) => x.id));
    expect([...canceled].sort()).toEqual(p.codes.filter((c) => c.canceled).map((c) => c.id).sort());
  }
}

class CreateProgram implements fc.AsyncCommand<Model, Real> {
  constructor(readonly multi: boolean, readonly n: number) {}
  check = (m: Readonly<Model>) => m.programs.length < 4;
  async run(m: Model, r: Real) {
    if (this.multi) {
      const id = await r.h.createProgram(r.tenant, { number_of_codes: this.n });
      const codes = await codesOf(r, id);
      expect(codes).toHaveLength(this.n);
      m.programs.push({ id, multi: true, canceled: false, riders: new Set(), codes: codes.map((c) => ({ id: c.id, text: c.code_text, max: 1, claimedBy: new Set(), canceled: false })) });
    } else {
      const { programId } = await singleCodeProgram(r.h, r.tenant, this.n);
      const [code] = await codesOf(r, programId);
      expect(code!.max_num_redemptions).toBe(this.n);
      m.programs.push({ id: programId, multi: false, canceled: false, riders: new Set(), codes: [{ id: code!.id, text: code!.code_text, max: this.n, claimedBy: new Set(), canceled: false }] });
    }
    await checkAgainstModel(m, r);
  }
  toString = () => `create(${this.multi ? 'multi' : 'single'}, ${this.n})`;
}

class Generate implements fc.AsyncCommand<Model, Real> {
  constructor(readonly p: number, readonly n: number) {}
  check = (m: Readonly<Model>) => m.programs.length > 0;
  async run(m: Model, r: Real) {
    const p = m.programs[this.p % m.programs.length]!;
    const res = await r.h.app.inject({ method: 'POST', url: `${base(r, p.id)}/codes/generate`, headers: bearer(r.tenant.token), payload: { number_of_codes: this.n } });
    if (p.multi && !p.canceled) {
      expect(res.statusCode, res.body).toBe(200);
      const before = new Set(p.codes.map((c) => c.id));
      const added = (await codesOf(r, p.id)).filter((c) => !before.has(c.id));
      expect(added).toHaveLength(this.n);
      p.codes.push(...added.map((c) => ({ id: c.id, text: c.code_text, max: 1, claimedBy: new Set<number>(), canceled: false })));
    } else {
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().code).toBe('invalid_request');
    }
    await checkAgainstModel(m, r);
  }
  toString = () => `generate(p${this.p}, ${this.n})`;
}

class Claim implements fc.AsyncCommand<Model, Real> {
  constructor(readonly rider: number, readonly p: number, readonly c: number, readonly spelling: 'as-is' | 'lower' | 'dashed') {}
  check = (m: Readonly<Model>) => m.programs.length > 0;
  async run(m: Model, r: Real) {
    const p = m.programs[this.p % m.programs.length]!;
    const code = p.codes[this.c % p.codes.length]!;
    const text = this.spelling === 'lower' ? code.text.toLowerCase() : this.spelling === 'dashed' ? `${code.text.slice(0, 4)}-${code.text.slice(4, 8)} ${code.text.slice(8)}` : code.text;
    const res = await redeem(r.h, r.riders[this.rider]!.token, text);
    // Prediction, in the order of docs/redemption.md: hidden (404), used up, already holds one, success.
    let expected: string;
    if (p.canceled || code.canceled) expected = '404 resource_not_found';
    else if (code.claimedBy.size >= code.max) expected = code.max <= 1 ? '409 code_already_redeemed' : '400 redeem_count_exceeded';
    else if (p.riders.has(this.rider)) expected = '409 code_already_redeemed';
    else expected = '200';
    expect(res.statusCode === 200 ? '200' : `${res.statusCode} ${res.json().code}`, res.body).toBe(expected);
    outcomes.set(expected, (outcomes.get(expected) ?? 0) + 1);
    if (expected === '200') {
      code.claimedBy.add(this.rider);
      p.riders.add(this.rider);
    }
    await checkAgainstModel(m, r);
  }
  toString = () => `claim(r${this.rider}, p${this.p}, c${this.c}, ${this.spelling})`;
}

class CancelCodes implements fc.AsyncCommand<Model, Real> {
  constructor(readonly p: number, readonly cs: number[]) {}
  check = (m: Readonly<Model>) => m.programs.length > 0;
  async run(m: Model, r: Real) {
    const p = m.programs[this.p % m.programs.length]!;
    const picked = [...new Set(this.cs.map((c) => p.codes[c % p.codes.length]!))];
    const res = await r.h.app.inject({ method: 'POST', url: `${base(r, p.id)}/codes/cancel`, headers: bearer(r.tenant.token), payload: { codes: picked.map((c) => c.id) } });
    expect(res.statusCode, res.body).toBe(200);
    const failures = new Map((res.json().cancelCodeFailures as { code_uuid: string; reason: string }[]).map((f) => [f.code_uuid, f.reason]));
    for (const c of picked) {
      const want = c.canceled ? 'already_canceled' : c.claimedBy.size >= c.max ? 'already_redeemed' : undefined;
      expect(failures.get(c.id), c.id).toBe(want);
      if (!want) c.canceled = true;
    }
    await checkAgainstModel(m, r);
  }
  toString = () => `cancelCodes(p${this.p}, [${this.cs.join(',')}])`;
}

class CancelProgram implements fc.AsyncCommand<Model, Real> {
  constructor(readonly p: number) {}
  check = (m: Readonly<Model>) => m.programs.length > 0;
  async run(m: Model, r: Real) {
    const p = m.programs[this.p % m.programs.length]!;
    const res = await r.h.app.inject({ method: 'POST', url: `${base(r, p.id)}/cancel`, headers: bearer(r.tenant.token), payload: {} });
    expect(res.statusCode, res.body).toBe(204);
    p.canceled = true;
    await checkAgainstModel(m, r);
  }
  toString = () => `cancelProgram(p${this.p})`;
}

const commands = [
  fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 3 })).map(([multi, n]) => new CreateProgram(multi, n)),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 3 })).map(([p, n]) => new Generate(p, n)),
  fc.tuple(fc.integer({ min: 0, max: 2 }), fc.nat(), fc.nat(), fc.constantFrom('as-is' as const, 'lower' as const, 'dashed' as const)).map(([ri, p, c, s]) => new Claim(ri, p, c, s)),
  fc.tuple(fc.integer({ min: 0, max: 2 }), fc.nat(), fc.nat(), fc.constantFrom('as-is' as const)).map(([ri, p, c, s]) => new Claim(ri, p, c, s)),
  fc.tuple(fc.nat(), fc.array(fc.nat(), { minLength: 1, maxLength: 3 })).map(([p, cs]) => new CancelCodes(p, cs)),
  fc.nat().map((p) => new CancelProgram(p)),
];

const seed = Number(process.env.MODEL_SEED ?? 20261202);

describe('model-based: programs, codes and claims follow the model and keep every invariant', () => {
  it('random command sequences (fc.commands)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 30, size: 'medium' }), async (cmds) => {
        const model: Model = { programs: [] };
        const real: Real = { h, tenant, riders };
        // Every run starts with a shared code (2 claims) and a 3-code program, then goes random.
        await new CreateProgram(false, 2).run(model, real);
        await new CreateProgram(true, 3).run(model, real);
        await fc.asyncModelRun(() => ({ model, real }), cmds);
      }),
      // A fixed seed: the same command sequences every run, so the coverage check below cannot
      // flip between runs; MODEL_SEED explores other sequences (print it to reproduce a failure).
      { numRuns: 40, seed: seed },
    );
    console.info(`[model] seed ${seed}: ${executed} commands executed; claim outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`);
    // The runs must exercise every kind of claim outcome, or the model proves little.
    expect([...outcomes.keys()].sort()).toEqual(['200', '400 redeem_count_exceeded', '404 resource_not_found', '409 code_already_redeemed']);
  }, 120_000);
});
