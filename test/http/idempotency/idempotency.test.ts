import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencySweepWorker } from '../../../src/modules/idempotency/idempotency.worker.js';
import { bearer, createHarness, DAY, json, programBody, type Harness, type Tenant } from '../../helpers/harness.js';
import { generate } from '../../helpers/webhooks.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

const db = () => h.ctx.database.db;
const generations = (programId: string) => db().selectFrom('code_generations').selectAll().where('program_id', '=', programId).execute();
const codeCount = async (programId: string) =>
  Number((await db().selectFrom('voucher_codes').select((eb) => eb.fn.countAll<number>().as('n')).where('program_id', '=', programId).executeTakeFirstOrThrow()).n);

async function freshProgram(): Promise<{ tenant: Tenant; programId: string }> {
  const tenant = await h.seedTenant();
  const programId = await h.createProgram(tenant);
  return { tenant, programId };
}

describe('Idempotency-Key (docs/programs.md, docs/guarantees.md)', () => {
  it('replays the stored response with Idempotent-Replayed: true and generates one batch', async () => {
    const { tenant, programId } = await freshProgram();
    const first = await generate(h, tenant, programId, 10, { 'idempotency-key': 'gen-1' });
    expect(first.statusCode).toBe(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const replay = await generate(h, tenant, programId, 10, { 'idempotency-key': 'gen-1' });
    expect(replay.statusCode).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.headers['content-type']).toBe(first.headers['content-type']);
    expect(replay.body).toBe(first.body);
    expect(await generations(programId)).toHaveLength(2); // the create batch + one generate
    expect(await codeCount(programId)).toBe(15);
    const outbox = await db().selectFrom('outbox_events').select('id').where('voucher_program_id', '=', programId).where('event_type', '=', 'voucher_program_updated').execute();
    expect(outbox).toHaveLength(1);
    const rows = await db().selectFrom('idempotency_keys').selectAll().where('idempotency_key', '=', 'gen-1').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'COMPLETED', response_status: 200, organization_id: tenant.organizationId, method: 'POST' });
    // Without a key the same request runs again.
    expect((await generate(h, tenant, programId, 10)).statusCode).toBe(200);
    expect(await codeCount(programId)).toBe(25);
  });

  it('answers 422 idempotency_key_reused for the same key with a different body, and changes nothing', async () => {
    const { tenant, programId } = await freshProgram();
    expect((await generate(h, tenant, programId, 3, { 'idempotency-key': 'k2' })).statusCode).toBe(200);
    const reused = await generate(h, tenant, programId, 4, { 'idempotency-key': 'k2' });
    expect(reused.statusCode).toBe(422);
    expect(json(reused).code).toBe('idempotency_key_reused');
    expect(await codeCount(programId)).toBe(8);
  });

  it('runs 20 parallel identical requests exactly once', async () => {
    const { tenant, programId } = await freshProgram();
    const results = await Promise.all(Array.from({ length: 20 }, () => generate(h, tenant, programId, 25, { 'idempotency-key': 'burst' })));
    const statuses = results.map((r) => r.statusCode);
    const executed = results.filter((r) => r.statusCode === 200 && r.headers['idempotent-replayed'] === undefined);
    expect(executed).toHaveLength(1);
    for (const r of results) {
      if (r.statusCode === 200) expect(json(r).generation_id).toBe(json(executed[0]!).generation_id);
      else expect([r.statusCode, json(r).code]).toEqual([409, 'idempotency_key_in_use']);
    }
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    expect((await generations(programId)).filter((g) => g.requested === 25)).toHaveLength(1);
    expect(await codeCount(programId)).toBe(30);
  });

  it('scopes keys to client + organization + path, stores business 4xx, not 409/5xx', async () => {
    const a = await freshProgram();
    const b = await freshProgram();
    // Same key, different client/org: independent.
    expect((await generate(h, a.tenant, a.programId, 2, { 'idempotency-key': 'shared' })).headers['idempotent-replayed']).toBeUndefined();
    expect((await generate(h, b.tenant, b.programId, 2, { 'idempotency-key': 'shared' })).headers['idempotent-replayed']).toBeUndefined();
    // Same key on another path of the same org: independent.
    const create = await h.app.inject({
      method: 'POST',
      url: `/v1/organizations/${a.tenant.organizationId}/voucher-programs`,
      headers: { ...bearer(a.tenant.token), 'idempotency-key': 'shared' },
      payload: programBody(h.clock.now()),
    });
    expect(create.statusCode).toBe(200);
    expect(create.headers['idempotent-replayed']).toBeUndefined();
    const createAgain = await h.app.inject({
      method: 'POST',
      url: `/v1/organizations/${a.tenant.organizationId}/voucher-programs`,
      headers: { ...bearer(a.tenant.token), 'idempotency-key': 'shared' },
      payload: programBody(h.clock.now()),
    });
    expect(createAgain.headers['idempotent-replayed']).toBe('true');
    expect(json(createAgain).voucher_program_id).toBe(json(create).voucher_program_id);
    const programs = await db().selectFrom('voucher_programs').select('id').where('organization_id', '=', a.tenant.organizationId).execute();
    expect(programs).toHaveLength(2);

    // A business 400 is stored and replayed.
    const tooMany = { 'idempotency-key': 'too-many' };
    const bad = await generate(h, a.tenant, a.programId, h.ctx.config.maxCodesPerRequest + 1, tooMany);
    expect(bad.statusCode).toBe(400);
    const badAgain = await generate(h, a.tenant, a.programId, h.ctx.config.maxCodesPerRequest + 1, tooMany);
    expect([badAgain.statusCode, badAgain.headers['idempotent-replayed'], badAgain.body]).toEqual([400, 'true', bad.body]);
    // A body failing schema validation never reaches the key: nothing executed, nothing stored.
    const invalid = await h.app.inject({
      method: 'POST',
      url: `/v1/organizations/${a.tenant.organizationId}/voucher-programs/${a.programId}/codes/generate`,
      headers: { ...bearer(a.tenant.token), 'idempotency-key': 'invalid-body' },
      payload: { number_of_codes: 'one' },
    });
    expect(invalid.statusCode).toBe(400);
    expect(await db().selectFrom('idempotency_keys').select('id').where('idempotency_key', '=', 'invalid-body').execute()).toEqual([]);
    const missing = await h.app.inject({
      method: 'POST',
      url: `/v1/organizations/${a.tenant.organizationId}/voucher-programs/00000000-0000-7000-8000-000000000000/codes/generate`,
      headers: { ...bearer(a.tenant.token), 'idempotency-key': 'nf' },
      payload: { number_of_codes: 1 },
    });
    expect(missing.statusCode).toBe(404);
    const missingAgain = await h.app.inject({
      method: 'POST',
      url: `/v1/organizations/${a.tenant.organizationId}/voucher-programs/00000000-0000-7000-8000-000000000000/codes/generate`,
      headers: { ...bearer(a.tenant.token), 'idempotency-key': 'nf' },
      payload: { number_of_codes: 1 },
    });
    expect([missingAgain.statusCode, missingAgain.headers['idempotent-replayed'], missingAgain.body]).toEqual([404, 'true', missing.body]);

    // A 409 (generation in progress) is transient: not stored, the key is free again.
    await db()
      .insertInto('code_generations')
      .values({ id: h.ctx.ids.next(), program_id: a.programId, organization_id: a.tenant.organizationId, requested: 1, status: 'RUNNING', lease_expires_at: h.clock.now() + 60_000, created_at: h.clock.now(), finished_at: null, client_id: null })
      .execute();
    const busy = await generate(h, a.tenant, a.programId, 1, { 'idempotency-key': 'busy' });
    expect(busy.statusCode).toBe(409);
    expect(await db().selectFrom('idempotency_keys').select('id').where('idempotency_key', '=', 'busy').execute()).toEqual([]);
  });

  it('answers 409 while a claim is live, and takes over a claim abandoned by a dead process', async () => {
    const { tenant, programId } = await freshProgram();
    const path = `/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}/codes/generate`;
    const claim = async (key: string, lockedUntil: number, body: unknown) =>
      db()
        .insertInto('idempotency_keys')
        .values({
          id: h.ctx.ids.next(),
          principal: `${tenant.clientId}:`,
          organization_id: tenant.organizationId,
          method: 'POST',
          path,
          idempotency_key: key,
          request_hash: (await import('node:crypto')).createHash('sha256').update(`\n${JSON.stringify(body)}`).digest('hex'),
          status: 'IN_PROGRESS',
          locked_until: lockedUntil,
          response_status: null,
          response_headers: null,
          response_body: null,
          created_at: h.clock.now(),
          expires_at: h.clock.now() + DAY,
        })
        .execute();
    await claim('live', h.clock.now() + 60_000, { number_of_codes: 2 });
    const busy = await generate(h, tenant, programId, 2, { 'idempotency-key': 'live' });
    expect([busy.statusCode, json(busy).code, busy.headers['retry-after']]).toEqual([409, 'idempotency_key_in_use', '1']);
    await claim('dead', h.clock.now() - 1, { number_of_codes: 2 });
    const takeover = await generate(h, tenant, programId, 2, { 'idempotency-key': 'dead' });
    expect(takeover.statusCode).toBe(200);
    expect(await codeCount(programId)).toBe(7);
    const rows = await db().selectFrom('idempotency_keys').selectAll().where('idempotency_key', '=', 'dead').execute();
    expect(rows.map((r) => r.status)).toEqual(['COMPLETED']);
  });

  it('rejects malformed keys and ignores GETs', async () => {
    const { tenant, programId } = await freshProgram();
    for (const key of ['', 'x'.repeat(256), 'has space', 'é']) {
      const res = await generate(h, tenant, programId, 1, { 'idempotency-key': key });
      expect(res.statusCode, JSON.stringify(key)).toBe(400);
      expect(json(res).code).toBe('invalid_request');
    }
    expect(await codeCount(programId)).toBe(5);
    const get = await h.app.inject({
      method: 'GET',
      url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}`,
      headers: { ...bearer(tenant.token), 'idempotency-key': 'g' },
    });
    expect(get.statusCode).toBe(200);
    expect(await db().selectFrom('idempotency_keys').select('id').where('idempotency_key', '=', 'g').execute()).toEqual([]);
  });

  it('keeps keys for the retention period, then the sweep deletes them and the key runs anew', async () => {
    const { tenant, programId } = await freshProgram();
    expect((await generate(h, tenant, programId, 1, { 'idempotency-key': 'old' })).statusCode).toBe(200);
    h.clock.advance(DAY - 1000);
    await idempotencySweepWorker.run(h.ctx, new AbortController().signal);
    expect(await db().selectFrom('idempotency_keys').select('id').where('idempotency_key', '=', 'old').execute()).toHaveLength(1);
    h.clock.advance(1000);
    await idempotencySweepWorker.run(h.ctx, new AbortController().signal);
    expect(await db().selectFrom('idempotency_keys').select('id').where('idempotency_key', '=', 'old').execute()).toEqual([]);
    const fresh = { ...tenant, token: await h.token(tenant.clientId, tenant.clientSecret) };
    const again = await generate(h, fresh, programId, 1, { 'idempotency-key': 'old' });
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(await codeCount(programId)).toBe(7);
  });
});
