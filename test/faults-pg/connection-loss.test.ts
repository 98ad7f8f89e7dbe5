import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, type Harness, type Tenant } from '../helpers/harness.js';

/**
 * docs/guarantees.md: PostgreSQL connections killed mid-request → 503 with Retry-After, nothing partial,
 * and the pool recovers without restarting voucherd.
 */
let h: Harness;
let tenant: Tenant;
let admin: pg.Client;
beforeAll(async () => {
  h = await createHarness();
  tenant = await h.seedTenant();
  admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
});
afterAll(async () => {
  await admin.end();
  await h.close();
});

/** Terminates every backend of this test's pool (its application_name names its schema). */
async function killOurBackends(): Promise<number> {
  const res = await admin.query(
    'select pg_terminate_backend(pid) from pg_stat_activity where pid <> pg_backend_pid() and application_name = $1',
    [`voucherd:${h.testDb.schema}`],
  );
  return res.rowCount ?? 0;
}

describe('F1: database connections killed mid-request', () => {
  it('answers 503 + Retry-After (or completes), writes nothing partial, and recovers', async () => {
    let unavailable = 0;
    for (let attempt = 0; attempt < 8; attempt++) {
      const programId = await h.createProgram(tenant, { number_of_codes: 1 });
      const request = h.app.inject({
        method: 'POST',
        url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}/codes/generate`,
        headers: bearer(tenant.token),
        payload: { number_of_codes: 30_000 },
      });
      await new Promise((r) => setTimeout(r, 20 + attempt * 15));
      await killOurBackends();
      const res = await request;
      expect([200, 503], res.body).toContain(res.statusCode);
      const rows = await h.ctx.database.db.selectFrom('voucher_codes').select('id').where('program_id', '=', programId).execute();
      const program = await h.ctx.database.db.selectFrom('voucher_programs').select('total_number_of_codes').where('id', '=', programId).executeTakeFirstOrThrow();
      if (res.statusCode === 503) {
        unavailable++;
        expect(res.headers['retry-after']).toBe('1');
        expect(res.json().code).toBe('service_unavailable');
        expect(rows).toHaveLength(1);
      } else {
        expect(rows).toHaveLength(30_001);
      }
      expect(Number(program.total_number_of_codes)).toBe(rows.length);
      // The pool recovers: the very next request works.
      const after = await h.app.inject({
        method: 'GET',
        url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}`,
        headers: bearer(tenant.token),
      });
      expect(after.statusCode).toBe(200);
    }
    expect(unavailable).toBeGreaterThan(0);
  });
});
