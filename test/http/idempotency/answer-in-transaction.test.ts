import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeOrganization } from '../../../src/modules/business/business.service.js';
import { createClient } from '../../../src/modules/oauth/client.service.js';
import { fanOutEvents } from '../../../src/modules/webhooks/fanout.js';
import { bearer, createHarness, json, programBody, type Harness, type Tenant } from '../../helpers/harness.js';
import { testEngine } from '../../helpers/database.js';
import { codeClient, rider, tokenThroughPages } from '../../helpers/oauth-flow.js';
import { tripRunBody } from '../../helpers/sandbox.js';

/**
 * docs/architecture.md, Transactions: a request holding an Idempotency-Key stores its answer in the
 * business transaction, before it commits. The fault: the request fails after the handler returned
 * (the business change committed) and before onSend — as a process dying in that window would. A
 * retry with the same key must then replay the stored answer, and the change must exist once.
 */

const FAULT = 'x-test-fault';
let h: Harness;
beforeAll(async () => {
  h = await createHarness({
    // Sandbox: its trip-run POST is one of the cases; nothing else here depends on the environment.
    env: { INLINE_GENERATION_LIMIT: '50', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', VOUCHERD_ENVIRONMENT: 'sandbox' },
    beforeReady: (app) => {
      // After the handler, before the response is sent or stored by onSend.
      app.addHook('preSerialization', async (request, reply) => {
        if (request.headers[FAULT] === 'after-commit' && reply.statusCode < 300) throw new Error('injected fault after the business commit');
      });
    },
  });
});
afterAll(async () => {
  await h.close();
});

const db = () => h.ctx.database.db;
let current: Tenant | undefined;
const tenantOf = () => current!.organizationId;
const count = async (table: 'voucher_codes' | 'voucher_programs' | 'code_generations' | 'voucher_program_templates' | 'program_guests', column: string, value: string) =>
  Number(
    (await db().selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where(column as never, '=', value as never).executeTakeFirstOrThrow()).n,
  );

/** What a case set up before its request: the token to call with (default the tenant's) and the ids it made. */
interface Fixture {
  token?: string;
  ids: Record<string, string>;
}

interface Case {
  name: string;
  prepare?: (tenant: Tenant, programId: string) => Promise<Fixture>;
  url: (tenant: Tenant, programId: string, fixture: Fixture) => string;
  body: (tenant: Tenant, programId: string, fixture: Fixture) => Promise<Record<string, unknown> | undefined> | Record<string, unknown> | undefined;
  /** How many rows the change wrote, read straight from the database. */
  changes: (tenant: Tenant, programId: string, fixture: Fixture) => Promise<number>;
  once: number;
  status: number;
}

const countWhere = async (table: 'outbox_events' | 'organization_authorizations' | 'sandbox_runs', column: string, value: string) =>
  Number(
    (await db().selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where(column as never, '=', value as never).executeTakeFirstOrThrow()).n,
  );

async function templateOf(tenant: Tenant): Promise<string> {
  const res = await h.app.inject({
    method: 'POST',
    url: `/v1/organizations/${tenant.organizationId}/voucher-program-templates`,
    headers: bearer(tenant.token),
    payload: { template_name: 'Visitor', name: 'Visitor ride', currency_code: 'USD', value_per_trip_max_amount: 30 },
  });
  expect(res.statusCode, res.body).toBe(200);
  return json(res).uuid as string;
}

/** An org endpoint with one delivery its receiver already took (SUCCEEDED), ready to be re-sent. */
async function deliveredDelivery(tenant: Tenant): Promise<Fixture> {
  const url = `/v1/organizations/${tenant.organizationId}/webhook-endpoints`;
  const created = await h.app.inject({ method: 'POST', url, headers: bearer(tenant.token), payload: { url: `http://127.0.0.1:9/resend-${tenant.organizationId}` } });
  expect(created.statusCode, created.body).toBe(201);
  const endpointId = json(created).webhook_endpoint_id as string;
  await h.createProgram(tenant);
  await fanOutEvents(h.ctx);
  const delivery = await db().selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', endpointId).executeTakeFirstOrThrow();
  await db().updateTable('webhook_deliveries').set({ status: 'SUCCEEDED', attempts: 1, delivered_at: h.clock.now() - 5000 }).where('id', '=', delivery.id).execute();
  return { ids: { endpointId, deliveryId: delivery.id, at: String(h.clock.now()) } };
}

/** An aggregator the tenant authorized, and the tenant admin's delegated token (revoke is the organization's own call). */
async function authorizedAggregator(tenant: Tenant): Promise<Fixture> {
  const aggregator = await createClient(h.ctx, { kind: 'THIRD_PARTY', name: 'Platform', scopes: ['organizations.voucher_programs.aggregator'] });
  await authorizeOrganization(h.ctx, tenant.organizationId, aggregator.client_id, tenant.adminUserId);
  const admin = await db().selectFrom('users').select('email').where('id', '=', tenant.adminUserId).executeTakeFirstOrThrow();
  const token = await tokenThroughPages(h, await codeClient(h, tenant.organizationId), admin.email, 'organizations.voucher_programs.delegated');
  return { token, ids: { clientId: aggregator.client_id, at: String(h.clock.now()) } };
}

const cases: Case[] = [
  {
    name: 'generate inline (200)',
    url: (t, p) => `/v1/organizations/${t.organizationId}/voucher-programs/${p}/codes/generate`,
    body: () => ({ number_of_codes: 7 }),
    changes: (_t, p) => count('voucher_codes', 'program_id', p),
    once: 5 + 7,
    status: 200,
  },
  {
    name: 'generate as a background job (202 + Location)',
    url: (t, p) => `/v1/organizations/${t.organizationId}/voucher-programs/${p}/codes/generate`,
    body: () => ({ number_of_codes: 60 }),
    changes: (_t, p) => count('code_generations', 'program_id', p),
    once: 2,
    status: 202,
  },
  {
    name: 'create program',
    url: (t) => `/v1/organizations/${t.organizationId}/voucher-programs`,
    body: () => programBody(h.clock.now(), { name: 'Once' }),
    changes: (t) => count('voucher_programs', 'organization_id', t.organizationId),
    once: 2,
    status: 200,
  },
  {
    name: 'create template',
    url: (t) => `/v1/organizations/${t.organizationId}/voucher-program-templates`,
    body: () => ({ template_name: 'Once', currency_code: 'USD', value_per_trip_max_amount: 10 }),
    changes: (t) => count('voucher_program_templates', 'organization_id', t.organizationId),
    once: 1,
    status: 200,
  },
  {
    name: 'create webhook endpoint (201 + Location)',
    url: (t) => `/v1/organizations/${t.organizationId}/webhook-endpoints`,
    body: () => ({ url: `http://127.0.0.1:9/${tenantOf()}` }),
    changes: async (t) => (await db().selectFrom('webhook_endpoints').select('id').where('url', '=', `http://127.0.0.1:9/${t.organizationId}`).execute()).length,
    once: 1,
    status: 201,
  },
  {
    // Canceling twice leaves the same state; a second run would answer `already_canceled` instead.
    name: 'cancel codes',
    url: (t, p) => `/v1/organizations/${t.organizationId}/voucher-programs/${p}/codes/cancel`,
    body: async (_t, p) => ({ codes: (await db().selectFrom('voucher_codes').select('id').where('program_id', '=', p).limit(2).execute()).map((r) => r.id) }),
    changes: async (_t, p) => (await db().selectFrom('voucher_codes').select('id').where('program_id', '=', p).where('canceled_at', 'is not', null).execute()).length,
    once: 2,
    status: 200,
  },
  {
    name: 'add guests',
    url: (t, p) => `/v1/organizations/${t.organizationId}/voucher-programs/${p}/add-guests`,
    body: () => ({ guests: [{ email: 'once@example.com' }], send_notifications: false }),
    changes: (_t, p) => count('program_guests', 'program_id', p),
    once: 1,
    status: 200,
  },
  {
    // One unit of work: the program (its row, first code, created event) and its guest (its row, distributed event).
    name: 'create individual program (program and guest together)',
    prepare: async (t) => ({ ids: { templateId: await templateOf(t) } }),
    url: (t) => `/v1/organizations/${t.organizationId}/individual_voucher_program/create`,
    body: (_t, _p, f) => ({ template_uuid: f.ids.templateId, name: 'Visitor ride', email_address: 'visitor@example.com' }),
    changes: async (t) =>
      (await count('voucher_programs', 'organization_id', t.organizationId)) +
      (await count('program_guests', 'organization_id', t.organizationId)) +
      (await countWhere('outbox_events', 'organization_id', t.organizationId)),
    // Before: the harness's program and its created event. After: a second program, its guest, its created and distributed events.
    once: 2 + 1 + 2 + 1,
    status: 200,
  },
  {
    name: 'webhook redelivery (202)',
    prepare: deliveredDelivery,
    url: (t, _p, f) => `/v1/organizations/${t.organizationId}/webhook-endpoints/${f.ids.endpointId}/deliveries/${f.ids.deliveryId}/resend`,
    body: () => undefined,
    // Due at the time of the first request (the retry comes later: a second re-send would move it).
    changes: async (_t, _p, f) =>
      (await db().selectFrom('webhook_deliveries').select('id').where('id', '=', f.ids.deliveryId!).where('status', '=', 'PENDING').where('next_attempt_at', '=', Number(f.ids.at)).execute()).length,
    once: 1,
    status: 202,
  },
  {
    name: 'authorized-app revoke',
    prepare: authorizedAggregator,
    url: (t, _p, f) => `/v1/organizations/${t.organizationId}/authorized-apps/${f.ids.clientId}/revoke`,
    body: () => undefined,
    changes: async (t, _p, f) =>
      (await db().selectFrom('organization_authorizations').select('id').where('organization_id', '=', t.organizationId).where('client_id', '=', f.ids.clientId!).where('revoked_at', '=', Number(f.ids.at)).execute()).length,
    once: 1,
    status: 200,
  },
  {
    name: 'sandbox trip run',
    prepare: async () => ({ ids: { email: (await rider(h)).email } }),
    url: () => '/v1/sandbox/terminal-state-trip-run',
    body: (_t, _p, f) => tripRunBody(f.ids.email ?? '', { latitude: 40.7484, longitude: -73.9857 }, { latitude: 40.7527, longitude: -73.9772 }),
    changes: (t) => countWhere('sandbox_runs', 'client_id', t.clientId),
    once: 1,
    status: 200,
  },
];

describe('the idempotent answer commits with the business change (docs/architecture.md, Transactions)', () => {
  for (const c of cases) {
    it(`${c.name}: a failure after the commit, then a retry with the same key → the stored answer, the change once`, async () => {
      const tenant = await h.seedTenant();
      current = tenant;
      const programId = await h.createProgram(tenant);
      const fixture = (await c.prepare?.(tenant, programId)) ?? { ids: {} };
      const before = await c.changes(tenant, programId, fixture);
      const payload = await c.body(tenant, programId, fixture);
      const request = (headers: Record<string, string>) =>
        h.app.inject({
          method: 'POST',
          url: c.url(tenant, programId, fixture),
          headers: { ...bearer(fixture.token ?? tenant.token), 'idempotency-key': `once-${cases.indexOf(c)}`, ...headers },
          ...(payload ? { payload } : {}),
        });

      const failed = await request({ [FAULT]: 'after-commit' });
      expect(failed.statusCode, failed.body).toBe(500);
      expect(await c.changes(tenant, programId, fixture), 'the change committed before the fault').toBe(c.once);

      // The retry comes later: a change run again would carry the later time.
      h.clock.advance(1000);
      const retry = await request({});
      expect(retry.statusCode, retry.body).toBe(c.status);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(await c.changes(tenant, programId, fixture), 'the retry did not run the change again').toBe(c.once);
      expect(c.once).toBeGreaterThan(before);
      const again = await request({});
      expect([again.statusCode, again.body, again.headers.location]).toEqual([retry.statusCode, retry.body, retry.headers.location]);
      const row = await db().selectFrom('idempotency_keys').selectAll().where('idempotency_key', '=', `once-${cases.indexOf(c)}`).where('path', '=', c.url(tenant, programId, fixture)).executeTakeFirstOrThrow();
      expect([row.status, row.response_status]).toEqual(['COMPLETED', c.status]);
    });
  }

  it('the first answer and its replay are byte-identical, headers included (stored before commit, sent after)', async () => {
    const tenant = await h.seedTenant();
    const programId = await h.createProgram(tenant);
    const url = `/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}/codes/generate`;
    const send = () => h.app.inject({ method: 'POST', url, headers: { ...bearer(tenant.token), 'idempotency-key': 'bytes', 'accept-language': 'fr' }, payload: { number_of_codes: 60 } });
    const first = await send();
    const replay = await send();
    expect(first.statusCode).toBe(202);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    for (const name of ['content-type', 'location', 'content-language']) expect(replay.headers[name], name).toBe(first.headers[name]);
    expect(replay.statusCode).toBe(first.statusCode);
    expect(replay.body).toBe(first.body);
    expect(json(first).generation_id).toBeTruthy();
  });

  it('individual program: a guest that cannot be written rolls its program back (one unit of work), and the key is freed', async () => {
    const tenant = await h.seedTenant();
    const templateId = await templateOf(tenant);
    // Any guest insert fails, after the program's writes in the same request.
    if (testEngine() === 'sqlite') {
      await sql`create trigger refuse_guest before insert on program_guests begin select raise(abort, 'refused'); end`.execute(db());
    } else {
      await sql`create function refuse_guest() returns trigger language plpgsql as $$ begin raise exception 'refused'; end $$`.execute(db());
      await sql`create trigger refuse_guest before insert on program_guests for each row execute function refuse_guest()`.execute(db());
    }
    const url = `/v1/organizations/${tenant.organizationId}/individual_voucher_program/create`;
    const send = () =>
      h.app.inject({
        method: 'POST',
        url,
        headers: { ...bearer(tenant.token), 'idempotency-key': 'individual' },
        payload: { template_uuid: templateId, name: 'Visitor ride', email_address: 'visitor@example.com' },
      });
    try {
      const failed = await send();
      expect(failed.statusCode).toBe(500);
      expect(await count('voucher_programs', 'organization_id', tenant.organizationId), 'no program without its guest').toBe(0);
      expect(await countWhere('outbox_events', 'organization_id', tenant.organizationId), 'nor its created event').toBe(0);
    } finally {
      await sql`drop trigger refuse_guest${sql.raw(testEngine() === 'sqlite' ? '' : ' on program_guests')}`.execute(db());
      if (testEngine() !== 'sqlite') await sql`drop function refuse_guest()`.execute(db());
    }
    const retry = await send();
    expect(retry.statusCode, retry.body).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(await count('voucher_programs', 'organization_id', tenant.organizationId)).toBe(1);
    expect(await count('program_guests', 'organization_id', tenant.organizationId)).toBe(1);
  });

  it('when the answer cannot be stored the business change rolls back with it (one transaction)', async () => {
    const tenant = await h.seedTenant();
    const programId = await h.createProgram(tenant);
    // Any write of a COMPLETED answer fails, in whichever transaction it runs.
    if (testEngine() === 'sqlite') {
      await sql`create trigger refuse_answer before update on idempotency_keys when new.status = 'COMPLETED' begin select raise(abort, 'refused'); end`.execute(db());
    } else {
      await sql`create function refuse_answer() returns trigger language plpgsql as $$ begin raise exception 'refused'; end $$`.execute(db());
      await sql`create trigger refuse_answer before update on idempotency_keys for each row when (new.status = 'COMPLETED') execute function refuse_answer()`.execute(db());
    }
    try {
      const url = `/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}/codes/generate`;
      const failed = await h.app.inject({ method: 'POST', url, headers: { ...bearer(tenant.token), 'idempotency-key': 'refused' }, payload: { number_of_codes: 7 } });
      expect(failed.statusCode).toBe(500);
      expect(await count('voucher_codes', 'program_id', programId), 'no code of the failed request committed').toBe(5);
      // The key was freed (a 5xx is not stored): the retry runs the change, once.
      expect(await db().selectFrom('idempotency_keys').select('id').where('idempotency_key', '=', 'refused').execute()).toEqual([]);
    } finally {
      await sql`drop trigger refuse_answer${sql.raw(testEngine() === 'sqlite' ? '' : ' on idempotency_keys')}`.execute(db());
      if (testEngine() !== 'sqlite') await sql`drop function refuse_answer()`.execute(db());
    }
    const url = `/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}/codes/generate`;
    const retry = await h.app.inject({ method: 'POST', url, headers: { ...bearer(tenant.token), 'idempotency-key': 'refused' }, payload: { number_of_codes: 7 } });
    expect(retry.statusCode).toBe(200);
    expect(await count('voucher_codes', 'program_id', programId)).toBe(12);
  });
});
