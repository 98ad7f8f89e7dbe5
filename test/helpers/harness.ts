import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createContext, type AppContext } from '../../src/context.js';
import { ManualClock } from '../../src/lib/clock.js';
import type { RandomSource } from '../../src/lib/random.js';
import { bootstrap } from '../../src/modules/oauth/bootstrap.service.js';
import { createTestDatabase, TEST_SECRETS_KEY, type TestDatabase } from './database.js';

/** 2026-11-26T00:00:00Z: tests run on a pinned clock they can move. */
export const T0 = Date.UTC(2026, 10, 26);
export const DAY = 86_400_000;

export interface Tenant {
  organizationId: string;
  adminUserId: string;
  clientId: string;
  clientSecret: string;
  token: string;
}

export interface Harness {
  app: FastifyInstance;
  ctx: AppContext;
  clock: ManualClock;
  testDb: TestDatabase;
  /** A new organization with an ADMIN, a first-party client and a token from the real token endpoint. */
  seedTenant(name?: string): Promise<Tenant>;
  /** A client_credentials token from POST /oauth/v2/token (Basic auth). */
  token(clientId: string, clientSecret: string, scope?: string): Promise<string>;
  /** Creates a program through the API and returns its id. */
  createProgram(tenant: Tenant, overrides?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

let tenantCounter = 0;

export async function createHarness(
  options: {
    env?: Record<string, string>;
    random?: RandomSource;
    clock?: ManualClock;
    /** Adds hooks to the app before it is ready (a fault a test injects around the handler). */
    beforeReady?: (app: FastifyInstance) => void;
  } = {},
): Promise<Harness> {
  const testDb = await createTestDatabase();
  const config: Config = loadConfig({ PUBLIC_URL: 'https://vouchers.test', DEMO_BOOTSTRAP: 'false', SECRETS_KEY: TEST_SECRETS_KEY, ...options.env });
  const clock = options.clock ?? new ManualClock(T0);
  const ctx = createContext(config, testDb.database, { clock, ...(options.random ? { random: options.random } : {}) });
  const app = await buildApp(ctx);
  options.beforeReady?.(app);
  await app.ready();

  const harness: Harness = {
    app,
    ctx,
    clock,
    testDb,
    async token(clientId, clientSecret, scope = 'organizations.voucher_programs') {
      const res = await app.inject({
        method: 'POST',
        url: '/oauth/v2/token',
        headers: {
          authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        payload: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
      });
      if (res.statusCode !== 200) throw new Error(`token request failed: ${res.statusCode} ${res.body}`);
      return res.json().access_token as string;
    },
    async seedTenant(name) {
      tenantCounter += 1;
      const result = await bootstrap(ctx, {
        orgName: name ?? `Org ${tenantCounter}`,
        adminEmail: `admin${tenantCounter}-${Math.floor(clock.now() % 1e6)}-${process.pid}@example.com`,
        adminPassword: 'correct horse battery staple',
      });
      const token = await harness.token(result.client.client_id, result.client.client_secret);
      return {
        organizationId: result.organization_id,
        adminUserId: result.admin.user_id,
        clientId: result.client.client_id,
        clientSecret: result.client.client_secret,
        token,
      };
    },
    async createProgram(tenant, overrides = {}) {
      const res = await app.inject({
        method: 'POST',
        url: `/v1/organizations/${tenant.organizationId}/voucher-programs`,
        headers: { authorization: `Bearer ${tenant.token}` },
        payload: programBody(clock.now(), overrides),
      });
      if (res.statusCode !== 200) throw new Error(`create program failed: ${res.statusCode} ${res.body}`);
      return res.json().voucher_program_id as string;
    },
    async close() {
      await app.close();
      await testDb.drop();
    },
  };
  return harness;
}

/** A valid MULTI_CODE create body starting now, for 30 days, with 5 codes. */
export function programBody(now: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Airport rides',
    currency_code: 'USD',
    timezone: 'America/New_York',
    starts_at: now,
    ends_at: now + 30 * DAY,
    code_scheme: 'MULTI_CODE_SINGLE_REDEEM',
    number_of_codes: 5,
    value_per_trip_max_amount: 25,
    ...overrides,
  };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

export function json(res: LightMyRequestResponse): any {
  return JSON.parse(res.body);
}

/** Asks for the strict unknown-field rule on one request (RFC 7240 `Prefer: handling=strict`). */
export const STRICT: Record<string, string> = { prefer: 'handling=strict' };
