import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, json, programBody, type Harness, type Tenant } from '../../helpers/harness.js';
import { testEngine } from '../../helpers/database.js';

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
    env: { INLINE_GENERATION_LIMIT: '50', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' },
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

interface Case {
  name: string;
  url: (tenant: Tenant, programId: string) => string;
  body: (tenant: Tenant, programId: string) => Promise<Record<string, unknown>> | Record<string, unknown>;
  /** How many rows the change wrote, read straight from the database. */
  changes: (tenant: Tenant, programId: string) => Promise<number>;
  once: number;
  status: number;
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
];

describe('the idempotent answer commits with the business change (docs/architecture.md, Transactions)', () => {
  for (const c of cases) {
    it(`${c.name}: a failure after the commit, then a retry with the same key → the stored answer, the change once`, async () => {
      const tenant = await h.seedTenant();
      current = tenant;
      const programId = await h.createProgram(tenant);
      const before = await c.changes(tenant, programId);
      const payload = await c.body(tenant, programId);
      const request = (headers: Record<string, string>) =>
        h.app.inject({ method: 'POST', url: c.url(tenant, programId), headers: { ...bearer(tenant.token), 'idempotency-key': `once-${cases.indexOf(c)}`, ...headers }, payload });

      const failed = await request({ [FAULT]: 'after-commit' });
      expect(failed.statusCode, failed.body).toBe(500);
      expect(await c.changes(tenant, programId), 'the change committed before the fault').toBe(c.once);

      const retry = await request({});
      expect(retry.statusCode, retry.body).toBe(c.status);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(await c.changes(tenant, programId), 'the retry did not run the change again').toBe(c.once);
      expect(c.once).toBeGreaterThan(before);
      const again = await request({});
      expect([again.statusCode, again.body, again.headers.location]).toEqual([retry.statusCode, retry.body, retry.headers.location]);
      const row = await db().selectFrom('idempotency_keys').selectAll().where('idempotency_key', '=', `once-${cases.indexOf(c)}`).where('organization_id', '=', tenant.organizationId).executeTakeFirstOrThrow();
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
