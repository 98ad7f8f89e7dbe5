import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { statusSweepWorker } from '../../../src/modules/programs/status-sweep.worker.js';
import { bearer, createHarness, DAY, type Harness, type Tenant } from '../../helpers/harness.js';

let h: Harness;
let tenant: Tenant;
beforeAll(async () => {
  h = await createHarness({ env: { ACCESS_TOKEN_TTL_SECONDS: String(30 * 86_400) } });
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  tenant = await h.seedTenant();
});

const sweep = () => statusSweepWorker.run(h.ctx, new AbortController().signal);
const transitions = (programId: string) =>
  h.ctx.database.db.selectFrom('program_status_transitions').selectAll().where('program_id', '=', programId).orderBy('status').execute();
const lifecycleEvents = (programId: string) =>
  h.ctx.database.db
    .selectFrom('outbox_events')
    .select(['event_type', 'payload', 'organization_id'])
    .where('voucher_program_id', '=', programId)
    .where('event_type', 'in', ['voucher_program_activated', 'voucher_program_completed'])
    .orderBy('id')
    .execute();

describe('status sweep (docs/programs.md)', () => {
  it('records ACTIVE when a program starts and COMPLETE when it ends, each exactly once, with outbox events', async () => {
    const now = h.clock.now();
    const id = await h.createProgram(tenant, { starts_at: now + DAY, ends_at: now + 2 * DAY });
    await sweep();
    expect(await transitions(id)).toEqual([]);

    h.clock.advance(DAY);
    await sweep();
    await sweep();
    expect(await transitions(id)).toEqual([{ program_id: id, status: 'ACTIVE', organization_id: tenant.organizationId, recorded_at: h.clock.now() }]);
    expect((await lifecycleEvents(id)).map((e) => [e.event_type, JSON.parse(e.payload)])).toEqual([
      ['voucher_program_activated', { status: 'ACTIVE', transitioned_at: h.clock.now() }],
    ]);

    h.clock.advance(DAY);
    await sweep();
    await sweep();
    expect((await transitions(id)).map((t) => t.status)).toEqual(['ACTIVE', 'COMPLETE']);
    const events = await lifecycleEvents(id);
    expect(events.map((e) => e.event_type)).toEqual(['voucher_program_activated', 'voucher_program_completed']);
    expect(events.every((e) => e.organization_id === tenant.organizationId)).toBe(true);
  });

  it('a program that started and ended between sweeps gets both, in order; a canceled one gets none', async () => {
    const now = h.clock.now();
    const both = await h.createProgram(tenant, { starts_at: now + 1000, ends_at: now + 2000 });
    const canceled = await h.createProgram(tenant, { starts_at: now + 1000, ends_at: now + 2000 });
    await h.app.inject({ method: 'POST', url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${canceled}/cancel`, headers: bearer(tenant.token) });
    h.clock.advance(5000);
    await sweep();
    expect((await lifecycleEvents(both)).map((e) => e.event_type)).toEqual(['voucher_program_activated', 'voucher_program_completed']);
    expect(await transitions(canceled)).toEqual([]);
    expect(await lifecycleEvents(canceled)).toEqual([]);
  });

  it('concurrent sweeps (as from several processes) still record each transition once', async () => {
    const now = h.clock.now();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await h.createProgram(tenant, { starts_at: now + 1000, ends_at: now + 3 * DAY }));
    h.clock.advance(2000);
    await Promise.all([sweep(), sweep(), sweep(), sweep()]);
    for (const id of ids) {
      expect(await transitions(id)).toHaveLength(1);
      expect(await lifecycleEvents(id)).toHaveLength(1);
    }
  });

  it('works through more programs than one batch', async () => {
    const now = h.clock.now();
    const rows = Array.from({ length: 1201 }, (_, i) => ({
      id: h.ctx.ids.next(),
      organization_id: tenant.organizationId,
      name: `bulk ${i}`,
      currency_code: 'USD',
      timezone: 'UTC',
      starts_at: now + 1000,
      ends_at: now + DAY,
      created_at: now,
      updated_at: now,
      code_scheme: 'MULTI_CODE_SINGLE_REDEEM',
      redemptions_per_code: 1,
      voucher_type: 'PERSONAL_TRANSPORT',
      value_per_trip_max_amount: 100,
      value_per_trip_deductible: null,
      value_per_trip_percentage: null,
      value_per_period_max_trips: null,
      value_per_period_max_credit: null,
      value_recurrence_period: 'SINGLE',
      trip_restriction_type: null,
      pickup_locations: null,
      dropoff_locations: null,
      vehicle_category_types: null,
      expense_memo: null,
      canceled_at: null,
      created_by_client_id: null,
    }));
    for (let i = 0; i < rows.length; i += 200) await h.ctx.database.db.insertInto('voucher_programs').values(rows.slice(i, i + 200)).execute();
    h.clock.advance(2000);
    await sweep();
    const recorded = await h.ctx.database.db
      .selectFrom('program_status_transitions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('organization_id', '=', tenant.organizationId)
      .where('status', '=', 'ACTIVE')
      .executeTakeFirstOrThrow();
    expect(Number(recorded.n)).toBe(1201);
  });

  it('stops when its signal is aborted', async () => {
    const now = h.clock.now();
    const id = await h.createProgram(tenant, { starts_at: now + 1000, ends_at: now + DAY });
    h.clock.advance(2000);
    const controller = new AbortController();
    controller.abort();
    await statusSweepWorker.run(h.ctx, controller.signal);
    expect(await transitions(id)).toEqual([]);
  });

  it('is registered as a singleton worker', async () => {
    const { registerWorkers } = await import('../../../src/jobs/workers.js');
    const added: { name: string; singleton?: boolean }[] = [];
    registerWorkers({ holder: 'test', add: (w: { name: string; singleton?: boolean }) => added.push(w) } as never, h.ctx);
    expect(added.find((w) => w.name === 'program-status-sweep')?.singleton).toBe(true);
  });
});
