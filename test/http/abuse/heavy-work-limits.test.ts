import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workGates } from '../../../src/modules/codes/work-gates.js';
import { bearer, createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { listenReal, type RealHttp } from '../../helpers/http-burst.js';

// Small limits: one running per organization, two waiting behind it; two running in the process.
const PER_ORG = 1;
const PER_ORG_QUEUE = 2;
const BURST = 8;
const N = 40;
let h: Harness;
let http: RealHttp;
let a: Tenant;
let b: Tenant;

beforeAll(async () => {
  h = await createHarness({
    env: {
      GENERATION_CONCURRENCY_PER_ORG: String(PER_ORG),
      GENERATION_QUEUE_PER_ORG: String(PER_ORG_QUEUE),
      GENERATION_CONCURRENCY: '2',
      GENERATION_QUEUE: '8',
      EXPORT_CONCURRENCY_PER_ORG: String(PER_ORG),
      EXPORT_QUEUE_PER_ORG: String(PER_ORG_QUEUE),
      EXPORT_CONCURRENCY: '2',
      EXPORT_QUEUE: '8',
    },
  });
  http = await listenReal(h);
  a = await h.seedTenant('Flooder');
  b = await h.seedTenant('Neighbour');
});
afterAll(async () => {
  await http?.close();
  await h.close();
});

const programPath = (t: Tenant, programId: string) => `/v1/organizations/${t.organizationId}/voucher-programs/${programId}`;
const generate = (t: Tenant, programId: string) =>
  http.send('POST', `${programPath(t, programId)}/codes/generate`, {
    headers: { ...bearer(t.token), 'content-type': 'application/json' },
    body: JSON.stringify({ number_of_codes: N }),
  });
const exportCodes = (t: Tenant, programId: string, csv = false) =>
  http.send('GET', `${programPath(t, programId)}/codes`, { headers: { ...bearer(t.token), ...(csv ? { accept: 'text/csv' } : {}) } });

async function codeCount(programId: string): Promise<number> {
  const row = await h.ctx.database.db.selectFrom('voucher_codes').select((eb) => eb.fn.countAll<number>().as('n')).where('program_id', '=', programId).executeTakeFirstOrThrow();
  return Number(row.n);
}

type Answer = Awaited<ReturnType<RealHttp['send']>>;

/**
 * Fires `n` requests at once while the organization's only running slot is held (as by a long
 * generation/export in flight), waits until all but the queued ones have answered, and returns the
 * answered ones plus a function that frees the slot and collects the queued ones.
 */
async function burstWhileHeld(hold: () => Promise<() => void>, n: number, one: () => Promise<Answer>) {
  const release = await hold();
  const answered: Answer[] = [];
  let wake: () => void = () => undefined;
  const enoughAnswered = new Promise<void>((resolve) => (wake = resolve));
  const all = Array.from({ length: n }, () =>
    one().then((res) => {
      answered.push(res);
      if (answered.length === n - PER_ORG_QUEUE) wake();
      return res;
    }),
  );
  await enoughAnswered;
  const early = [...answered];
  return {
    early,
    async finish(): Promise<Answer[]> {
      release();
      return Promise.all(all);
    },
  };
}

describe('H5: heavy work is bounded per organization and per process (real HTTP)', () => {
  it('a burst of generations from one organization: PER_ORG_QUEUE wait, the rest 429 + Retry-After; another organization is served meanwhile', async () => {
    const programId = await h.createProgram(a, { number_of_codes: 1 });
    const otherProgram = await h.createProgram(b, { number_of_codes: 1 });
    const gate = workGates(h.ctx).generation;
    const run = await burstWhileHeld(() => gate.enter(a.organizationId), BURST, () => generate(a, programId));
    // Everything answered while the slot is held is a refusal; nothing was written by them.
    expect(run.early.map((r) => r.status)).toEqual(Array(BURST - PER_ORG_QUEUE).fill(429));
    for (const res of run.early) {
      expect(res.headers['retry-after']).toBe('2');
      expect(JSON.parse(res.body)).toMatchObject({ code: 'rate_limited' });
    }
    expect(await codeCount(programId)).toBe(1);
    // The neighbour is not refused while the flood waits.
    const neighbour = await generate(b, otherProgram);
    expect(neighbour.status).toBe(200);
    const all = await run.finish();
    const ok = all.filter((r) => r.status === 200).length;
    expect(ok).toBe(PER_ORG_QUEUE);
    expect(all.filter((r) => r.status === 429).length).toBe(BURST - PER_ORG_QUEUE);
    expect(await codeCount(programId)).toBe(1 + ok * N);
    // After the burst a retry succeeds.
    expect((await generate(a, programId)).status).toBe(200);
    expect(await codeCount(programId)).toBe(1 + (ok + 1) * N);
  });

  it('the process-wide bound: with both process slots held, at most GENERATION_QUEUE wait across organizations', async () => {
    const gate = workGates(h.ctx).generation;
    const held = [await gate.enter('held-1'), await gate.enter('held-2')];
    const tenants = [];
    for (let i = 0; i < 10; i += 1) tenants.push(await h.seedTenant(`Many ${i}`));
    const programs = await Promise.all(tenants.map((t) => h.createProgram(t, { number_of_codes: 1 })));
    const answers: Answer[] = [];
    let wake: () => void = () => undefined;
    const twoAnswered = new Promise<void>((resolve) => (wake = resolve));
    const all = tenants.map((t, i) =>
      generate(t, programs[i]!).then((res) => {
        answers.push(res);
        if (answers.length === 2) wake();
        return res;
      }),
    );
    await twoAnswered;
    expect(answers.map((r) => r.status)).toEqual([429, 429]);
    for (const release of held) release();
    const statuses = (await Promise.all(all)).map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBe(8);
    for (let i = 0; i < tenants.length; i += 1) expect(await codeCount(programs[i]!)).toBe(statuses[i] === 200 ? 1 + N : 1);
  });

  it('full exports (JSON and CSV): PER_ORG_QUEUE wait, the rest 429; another organization exports meanwhile; each 200 is complete', async () => {
    const programId = await h.createProgram(a, { number_of_codes: 30 });
    const otherProgram = await h.createProgram(b, { number_of_codes: 30 });
    const gate = workGates(h.ctx).export;
    for (const csv of [false, true]) {
      const run = await burstWhileHeld(() => gate.enter(a.organizationId), BURST, () => exportCodes(a, programId, csv));
      expect(run.early.map((r) => r.status)).toEqual(Array(BURST - PER_ORG_QUEUE).fill(429));
      for (const res of run.early) {
        expect(res.headers['retry-after']).toBe('2');
        expect(JSON.parse(res.body)).toMatchObject({ code: 'rate_limited' });
      }
      const neighbour = await exportCodes(b, otherProgram, csv);
      expect(neighbour.status).toBe(200);
      const all = await run.finish();
      const ok = all.filter((r) => r.status === 200);
      expect(ok.length).toBe(PER_ORG_QUEUE);
      for (const res of ok) {
        if (csv) expect(res.body.trim().split('\r\n')).toHaveLength(31);
        else expect(JSON.parse(res.body).codes).toHaveLength(30);
      }
      // Every slot came back when the streams closed: a retry succeeds.
      expect((await exportCodes(a, programId, csv)).status).toBe(200);
    }
  });
});
