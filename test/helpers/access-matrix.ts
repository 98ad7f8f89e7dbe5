import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/modules/oauth/client.service.js';
import { issueAccessToken } from '../../src/modules/oauth/token.service.js';
import { createUser } from '../../src/modules/orgs/org.service.js';
import type { CreatedClient } from '../../src/modules/oauth/client.service.js';
import { bearer, type Harness, type Tenant } from './harness.js';
import { codeClient, PASSWORD, tokenThroughPages } from './oauth-flow.js';
import { createRider, createTripReporter } from './riders.js';

/** A delegated access token from the real authorization-code flow (sign in, consent, PKCE exchange). */
export function delegatedToken(h: Harness, app: CreatedClient, email: string): Promise<string> {
  return tokenThroughPages(h, app, email, 'organizations.voucher_programs.delegated');
}

/** One org-scoped route, described once so the shared matrix can attack it (docs/guarantees.md). */
export interface OrgRoute {
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** The route as the app registers it (Fastify syntax), matched against the app's route table. */
  pattern: string;
  /** The route's URL for an organization and one of its programs. */
  url(organizationId: string, programId: string): string;
  /** The body; receives the id `resource` made (a program by default). */
  payload?: (resourceId: string) => Record<string, unknown>;
  okStatus: number;
  /**
   * Creates the resource the URL names for a tenant and returns its id (default: a program). B6 uses
   * the other tenant's resource.
   */
  resource?: (h: Harness, tenant: Tenant) => Promise<string>;
  /** Body fields the route really takes, so B7 does not count them as mass assignment (e.g. `codes`). */
  legitFields?: string[];
  /** Whether the URL names a program (then B6 applies). */
  programScoped: boolean;
  /**
   * The organization's own integrations (webhooks, authorized apps): an authorized aggregator is
   * refused too (docs/oauth.md, Authorized apps).
   */
  aggregatorRefused?: boolean;
}

const RANDOM_UUID = '01900000-0000-7000-8000-000000000000';

/**
 * Tables a refused request may legitimately write, left out of "nothing changes":
 * (none yet — every table of the schema is compared row by row).
 */
const VOLATILE_TABLES = new Set<string>([]);

/** Every table of the test schema, read from the engine's catalog (so a new table is covered). */
export async function listTables(h: Harness): Promise<string[]> {
  const db = h.ctx.database.db;
  const { rows } =
    h.ctx.database.dialect === 'postgres'
      ? await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db)
      : await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db);
  return rows.map((r) => r.name).sort();
}

/** A value in a stable spelling for both engines (bigint, Date, bytes). */
function canonical(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return value;
}

/**
 * "Nothing changes in the database": for every table of the schema (except VOLATILE_TABLES), its
 * row count and a digest of all its rows, so an added, deleted or updated row anywhere shows.
 */
export async function snapshot(h: Harness): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of await listTables(h)) {
    if (VOLATILE_TABLES.has(table)) continue;
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(h.ctx.database.db);
    const lines = rows.map((row) => JSON.stringify(Object.keys(row).sort().map((k) => [k, canonical(row[k])]))).sort();
    out[table] = `${rows.length} rows, sha256 ${createHash('sha256').update(lines.join('\n')).digest('hex')}`;
  }
  return out;
}

/**
 * The shared access matrix of docs/oauth.md. Each org route's test file calls this once, so a new
 * route cannot skip it. Tokens of the kinds not yet mintable through OAuth flows are issued with
 * the token service itself (real rows, real hashing).
 */
export function describeAccessMatrix(getHarness: () => Harness, route: OrgRoute): void {
  describe(`access matrix: ${route.name}`, () => {
    let h: Harness;
    let owner: Tenant;
    let other: Tenant;
    let programId: string;
    let otherProgramId: string;

    beforeEach(async () => {
      h = getHarness();
      owner = await h.seedTenant();
      other = await h.seedTenant();
      programId = route.resource ? await route.resource(h, owner) : await h.createProgram(owner);
      otherProgramId = route.resource ? await route.resource(h, other) : await h.createProgram(other);
    });

    const call = (headers: Record<string, string>, url = route.url(owner.organizationId, programId)) =>
      h.app.inject({
        method: route.method,
        url,
        headers,
        ...(route.payload ? { payload: route.payload(programId) } : {}),
      });

    it('lets the owning first-party client through', async () => {
      const res = await call(bearer(owner.token));
      expect(res.statusCode, res.body).toBe(route.okStatus);
    });

    it('B1: no token → 401 unauthorized with a Bearer challenge', async () => {
      const res = await call({});
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('unauthorized');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="voucherd"$/);
    });

    it('B1: unknown or malformed token → 401 invalid_token', async () => {
      for (const header of ['Bearer nope-nope-nope-nope-nope', 'Bearer ', 'Basic abc', `Bearer ${owner.token}x`, `Token ${owner.token}`]) {
        const res = await call({ authorization: header });
        expect(res.statusCode, header).toBe(401);
        expect(res.json().code).toBe('unauthorized');
        expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
      }
    });

    it('B1: expired token → 401 invalid_token', async () => {
      h.clock.advance(h.ctx.config.accessTokenTtlSeconds * 1000 + 1);
      try {
        const res = await call(bearer(owner.token));
        expect(res.statusCode).toBe(401);
        expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
      } finally {
        h.clock.advance(-(h.ctx.config.accessTokenTtlSeconds * 1000 + 1));
      }
    });

    it('B1: revoked token → 401 invalid_token', async () => {
      await h.ctx.database.db.updateTable('oauth_tokens').set({ revoked_at: h.clock.now() }).where('client_id', '=', owner.clientId).execute();
      const res = await call(bearer(owner.token));
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    });

    it('B1: lowercase "bearer" is accepted; a token in the query string is ignored', async () => {
      const ok = await call({ authorization: `bearer ${owner.token}` });
      expect(ok.statusCode, ok.body).toBe(route.okStatus);
      const url = route.url(owner.organizationId, programId);
      const res = await call({}, `${url}${url.includes('?') ? '&' : '?'}access_token=${owner.token}`);
      expect(res.statusCode).toBe(401);
    });

    it('B2: a token without a voucher scope → 403 unauthorized (insufficient_scope)', async () => {
      // A rider's token from the real code flow, on a client of the organization that may hold the
      // voucher scopes too: only the token's own scopes count.
      const rider = await createRider(h, await codeClient(h, owner.organizationId));
      const res = await call(bearer(rider.token));
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('unauthorized');
      expect(res.headers['www-authenticate']).toContain('error="insufficient_scope"');
    });

    it('B2: a voucher scope with the wrong grant type → 403 unauthorized', async () => {
      const token = await issueAccessToken(h.ctx, {
        clientId: owner.clientId,
        grantType: 'client_credentials',
        scopes: ['organizations.voucher_programs.delegated'],
      });
      const res = await call(bearer(token.access_token));
      expect(res.statusCode).toBe(403);
      expect(res.headers['www-authenticate']).toContain('error="insufficient_scope"');
    });

    it("a trip reporter's token (vouchers.trips, the organization's own first-party client) → 403 insufficient_scope", async () => {
      const reporter = await createTripReporter(h, owner.organizationId);
      const before = await snapshot(h);
      const res = await call(bearer(reporter.token));
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('unauthorized');
      expect(res.headers['www-authenticate']).toContain('error="insufficient_scope"');
      expect(await snapshot(h)).toEqual(before);
    });

    it('B3: a delegated token of a MEMBER → 403 user_not_allowed; of an ADMIN → allowed (tokens from the real code flow)', async () => {
      // Both users sign in and approve as ADMINs (only an ADMIN can grant the delegated scope);
      // one is then demoted to MEMBER — the policy checks the role on every request.
      const app = await codeClient(h, owner.organizationId);
      const member = await createUser(h.ctx, { email: `member-${h.ctx.ids.next()}@example.com`, password: PASSWORD, organizationId: owner.organizationId, role: 'ADMIN' });
      const admin = await h.ctx.database.db.selectFrom('users').select('email').where('id', '=', owner.adminUserId).executeTakeFirstOrThrow();
      const memberToken = await delegatedToken(h, app, member.email);
      const adminToken = await delegatedToken(h, app, admin.email);
      await h.ctx.database.db.updateTable('memberships').set({ role: 'MEMBER' }).where('user_id', '=', member.user_id).execute();
      const res = await call(bearer(memberToken));
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('user_not_allowed');
      const ok = await call(bearer(adminToken));
      expect(ok.statusCode, ok.body).toBe(route.okStatus);
    });

    it('B4: a first-party token on another organization → 403 unauthorized, nothing changes', async () => {
      const before = await snapshot(h);
      const res = await call(bearer(other.token));
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('unauthorized');
      expect(await snapshot(h)).toEqual(before);
    });

    it(route.aggregatorRefused ? 'B5: an aggregator is refused even while it is authorized, nothing changes' : 'B5: an aggregator reaches an organization only while it is authorized', async () => {
      const aggregator = await createClient(h.ctx, { kind: 'THIRD_PARTY', name: 'Platform' });
      const token = await h.token(aggregator.client_id, aggregator.client_secret, 'organizations.voucher_programs.aggregator');
      const before = await call(bearer(token));
      expect(before.statusCode).toBe(403);
      expect(before.json().code).toBe('unauthorized');
      await h.ctx.database.db
        .insertInto('organization_authorizations')
        .values({
          id: h.ctx.ids.next(),
          organization_id: owner.organizationId,
          client_id: aggregator.client_id,
          scope: 'organizations.voucher_programs.aggregator',
          approved_by_user_id: owner.adminUserId,
          created_at: h.clock.now(),
          revoked_at: null,
        })
        .execute();
      const beforeDuring = await snapshot(h);
      const during = await call(bearer(token));
      if (route.aggregatorRefused) {
        expect(during.statusCode, during.body).toBe(403);
        expect(during.json().code).toBe('unauthorized');
        // Nothing but the authorization this test inserted differs.
        expect(await snapshot(h)).toEqual(beforeDuring);
      } else {
        expect(during.statusCode, during.body).toBe(route.okStatus);
      }
      await h.ctx.database.db.updateTable('organization_authorizations').set({ revoked_at: h.clock.now() }).execute();
      const after = await call(bearer(token));
      expect(after.statusCode).toBe(403);
    });

    if (route.programScoped) {
      it("B6: org A's token on org B's program → 404 identical to a random id, nothing changes", async () => {
        const before = await snapshot(h);
        const foreign = await call(bearer(owner.token), route.url(owner.organizationId, otherProgramId));
        const missing = await call(bearer(owner.token), route.url(owner.organizationId, RANDOM_UUID));
        expect(foreign.statusCode).toBe(404);
        expect(missing.statusCode).toBe(404);
        const strip = (body: string) => ({ ...JSON.parse(body), request_id: undefined });
        expect(strip(foreign.body)).toEqual(strip(missing.body));
        expect(foreign.json().code).toBe('resource_not_found');
        expect(await snapshot(h)).toEqual(before);
      });
    }

    if (route.payload) {
      const unknown = () =>
        [{ organization_id: other.organizationId }, { status: 'ACTIVE' }, { codes: ['X'] }, { total_number_of_codes: 5 }, { id: RANDOM_UUID }].filter(
          (e) => !route.legitFields?.includes(Object.keys(e)[0]!),
        );

      it('B7: extra properties with Prefer: handling=strict → 400 naming each, nothing changes', async () => {
        const before = await snapshot(h);
        for (const extra of unknown()) {
          const res = await h.app.inject({
            method: route.method,
            url: route.url(owner.organizationId, programId),
            headers: { ...bearer(owner.token), prefer: 'handling=strict' },
            payload: { ...route.payload!(programId), ...extra },
          });
          expect(res.statusCode, JSON.stringify(extra)).toBe(400);
          expect(res.json().code).toBe('invalid_request');
          expect(res.json().metadata.field).toBe(Object.keys(extra)[0]);
          expect(res.headers['preference-applied']).toBe('handling=strict');
        }
        expect(await snapshot(h)).toEqual(before);
      });

      it('B7: extra properties by default are ignored and named, never applied', async () => {
        const fields = unknown().map((e) => Object.keys(e)[0]!);
        const res = await h.app.inject({
          method: route.method,
          url: route.url(owner.organizationId, programId),
          headers: bearer(owner.token),
          payload: { ...route.payload!(programId), ...Object.assign({}, ...unknown()) },
        });
        expect(res.statusCode, res.body).toBe(route.okStatus);
        expect(String(res.headers['voucherd-ignored-fields']).split(',').sort()).toEqual([...fields].sort());
        // Not applied: the other tenant has no program, code or change because of it.
        const foreign = await h.ctx.database.db
          .selectFrom('voucher_programs')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('organization_id', '=', other.organizationId)
          .where('id', '<>', otherProgramId)
          .executeTakeFirstOrThrow();
        expect(Number(foreign.n)).toBe(0);
        expect(await h.ctx.database.db.selectFrom('voucher_programs').select('id').where('id', '=', RANDOM_UUID).executeTakeFirst()).toBeUndefined();
      });
    }

    it('B8: no response carries secrets or hashes', async () => {
      const res = await call(bearer(owner.token));
      const hashes = await h.ctx.database.db.selectFrom('oauth_clients').select('secret_hash').execute();
      for (const { secret_hash } of hashes) expect(res.body).not.toContain(secret_hash);
      expect(res.body).not.toContain(owner.clientSecret);
      expect(res.body).not.toContain(owner.token);
      expect(res.body).not.toContain(other.organizationId);
    });
  });
}
