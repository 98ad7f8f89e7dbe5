import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CryptoRandomSource, type RandomSource } from '../../../src/lib/random.js';
import { generationJobsWorker, runGenerationJob } from '../../../src/modules/codes/generation-job.js';
import { claimBackgroundJob } from '../../../src/modules/codes/generation.repository.js';
import { bearer, createHarness, type Harness, type Tenant } from '../../helpers/harness.js';

/** A CSPRNG that can be told to fail once: the process "dies" in the middle of a chunk. */
class FailingSource implements RandomSource {
  private readonly real = new CryptoRandomSource();
  failAfter = -1;
  fill(target: Uint8Array): void {
    if (this.failAfter === 0) {
      this.failAfter = -1;
      throw new Error('simulated crash in the middle of a chunk');
    }
    if (this.failAfter > 0) this.failAfter--;
    this.real.fill(target);
  }
}

const source = new FailingSource();
let h: Harness;
let tenant: Tenant;
beforeAll(async () => {
  h = await createHarness({
    random: source,
    env: { MAX_CODES_PER_REQUEST: '5000', INLINE_GENERATION_LIMIT: '1000', GENERATION_CHUNK_SIZE: '700', GENERATION_LEASE_SECONDS: '30' },
  });
  tenant = await h.seedTenant();
});
afterAll(async () => {
  await h.close();
});

const generate = (programId: string, n: number) =>
  h.app.inject({
    method: 'POST',
    url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}/codes/generate`,
    headers: bearer(tenant.token),
    payload: { number_of_codes: n },
  });

async function rowsAndTotal(programId: string) {
  const rows = await h.ctx.database.db.selectFrom('voucher_codes').select('code_text').where('program_id', '=', programId).execute();
  const program = await h.ctx.database.db.selectFrom('voucher_programs').select('total_number_of_codes').where('id', '=', programId).executeTakeFirstOrThrow();
  return { rows: rows.length, distinct: new Set(rows.map((r) => r.code_text)).size, total: Number(program.total_number_of_codes) };
}

describe('background generation above the inline limit (docs/programs.md)', () => {
  it('answers 202 with a Location, 409 while it runs, and finishes with exactly N', async () => {
    const programId = await h.createProgram(tenant, { number_of_codes: 10 });
    const res = await generate(programId, 3500);
    expect(res.statusCode, res.body).toBe(202);
    const body = res.json();
    expect(body).toEqual({ voucher_program_id: programId, generation_id: expect.any(String), status: 'IN_PROGRESS', number_of_codes: 3500, total_number_of_codes: 10 });
    const location = res.headers.location as string;
    expect(location).toBe(`/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}/codes/generations/${body.generation_id}`);
    expect((await generate(programId, 5)).statusCode).toBe(409);
    const pending = await h.app.inject({ method: 'GET', url: location, headers: bearer(tenant.token) });
    expect(pending.json()).toMatchObject({ status: 'IN_PROGRESS', requested: 3500, generated: 0, mode: 'BACKGROUND' });

    await generationJobsWorker('worker-a', 500).run(h.ctx, new AbortController().signal);

    const done = await h.app.inject({ method: 'GET', url: location, headers: bearer(tenant.token) });
    expect(done.json()).toMatchObject({ status: 'COMPLETED', requested: 3500, generated: 3500, finished_at: expect.any(Number) });
    expect(await rowsAndTotal(programId)).toEqual({ rows: 3510, distinct: 3510, total: 3510 });
    // Each chunk draws from its own successive slice of the code space (lib/codes.ts CodeRange), so
    // the job's codes in creation (id) order are in code order: they filled the code index in order.
    const jobCodes = (
      await h.ctx.database.db.selectFrom('voucher_codes').select('code_text').where('generation_id', '=', body.generation_id).orderBy('id').execute()
    ).map((r) => r.code_text);
    expect(jobCodes).toHaveLength(3500);
    expect(jobCodes).toEqual([...jobCodes].sort());
    const events = await h.ctx.database.db.selectFrom('outbox_events').select('payload').where('voucher_program_id', '=', programId).where('event_type', '=', 'voucher_program_updated').execute();
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.payload)).toMatchObject({ generation_id: body.generation_id, number_of_codes: 3500, total_number_of_codes: 3510 });
    expect((await generate(programId, 5)).statusCode).toBe(200);
  });

  it('a crash mid-chunk loses only that chunk; after the lease runs out another process resumes to exactly N', async () => {
    const programId = await h.createProgram(tenant, { number_of_codes: 1 });
    const { generation_id: id } = (await generate(programId, 2000)).json();
    const now = h.clock.now();
    expect(await claimBackgroundJob(h.ctx.database.db, 'doomed', now, 30_000)).toBe(id);
    // Draws: #0 chunk 1; #1 chunk 2, made while chunk 1 inserts; #2 chunk 3, made while chunk 2 inserts.
    source.failAfter = 2; // fails inside the second chunk's transaction: the "process" dies there
    await expect(runGenerationJob(h.ctx, id, 'doomed')).rejects.toThrow(/simulated crash/);
    const mid = await rowsAndTotal(programId);
    expect(mid).toEqual({ rows: 701, distinct: 701, total: 701 });
    // Still leased by the dead process: nobody else may take it yet.
    expect(await claimBackgroundJob(h.ctx.database.db, 'rescuer', now + 1000, 30_000)).toBeUndefined();
    h.clock.advance(31_000);
    try {
      await generationJobsWorker('rescuer', 500).run(h.ctx, new AbortController().signal);
      expect(await rowsAndTotal(programId)).toEqual({ rows: 2001, distinct: 2001, total: 2001 });
      const job = await h.ctx.database.db.selectFrom('code_generations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(job).toMatchObject({ status: 'COMPLETED', generated: 2000, lease_holder: 'rescuer' });
    } finally {
      h.clock.set(now);
    }
  });

  it('a graceful stop hands the job back at once; the next worker finishes it', async () => {
    const programId = await h.createProgram(tenant, { number_of_codes: 1 });
    const { generation_id: id } = (await generate(programId, 1500)).json();
    const stop = new AbortController();
    stop.abort();
    await claimBackgroundJob(h.ctx.database.db, 'stopping', h.clock.now(), 30_000);
    expect(await runGenerationJob(h.ctx, id, 'stopping', stop.signal)).toBe('STOPPED');
    await generationJobsWorker('next', 500).run(h.ctx, new AbortController().signal);
    expect(await rowsAndTotal(programId)).toEqual({ rows: 1501, distinct: 1501, total: 1501 });
  });

  it('canceling the program mid-job stops it; committed chunks stay counted (totals equal rows)', async () => {
    const programId = await h.createProgram(tenant, { number_of_codes: 1 });
    const { generation_id: id } = (await generate(programId, 2100)).json();
    await claimBackgroundJob(h.ctx.database.db, 'w', h.clock.now(), 30_000);
    source.failAfter = 2; // dies inside the second chunk's transaction (see above)
    await expect(runGenerationJob(h.ctx, id, 'w')).rejects.toThrow();
    await h.ctx.database.db.updateTable('voucher_programs').set({ canceled_at: h.clock.now() }).where('id', '=', programId).execute();
    // The same holder picks it up again (its lease is still valid) and meets the cancellation.
    expect(await runGenerationJob(h.ctx, id, 'w')).toBe('FAILED');
    expect(await rowsAndTotal(programId)).toEqual({ rows: 701, distinct: 701, total: 701 });
  });

  it('N above MAX_CODES_PER_REQUEST is still refused with 400', async () => {
    const programId = await h.createProgram(tenant, { number_of_codes: 1 });
    const res = await generate(programId, 5001);
    expect(res.statusCode).toBe(400);
  });
});
