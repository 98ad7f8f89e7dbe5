import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { rider } from '../../helpers/oauth-flow.js';
import { tripRunBody } from '../../helpers/sandbox.js';

/**
 * Hostile bodies on the sandbox helpers never reach a 5xx: any JSON value, and valid bodies with
 * one part replaced by anything, answer 200 or 400 `BAD_REQUEST` (Uber's sandbox codes), and a
 * hostile run id answers 404 `NOT_FOUND`.
 */
let h: Harness;
let tenant: Tenant;
let email: string;

beforeAll(async () => {
  h = await createHarness({ env: { VOUCHERD_ENVIRONMENT: 'sandbox' } });
  tenant = await h.seedTenant();
  email = (await rider(h)).email;
});
afterAll(async () => h?.close());

function post(payload: string) {
  return h.app.inject({
    method: 'POST',
    url: '/v1/sandbox/terminal-state-trip-run',
    headers: { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/json' },
    payload,
  });
}

const PATHS = [['pickup'], ['pickup', 'point'], ['pickup', 'point', 'latitude'], ['dropoff', 'point', 'longitude'], ['rider_info', 'identifier', 'email_address'], ['scenario', 'id'], ['product_type']];

describe('sandbox helpers under hostile input', () => {
  it('any JSON body → 400 BAD_REQUEST, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => {
        const res = await post(JSON.stringify(value));
        expect(res.statusCode, res.body).toBe(400);
        expect(res.json().code).toBe('BAD_REQUEST');
      }),
      { numRuns: 150 },
    );
  });

  it('a valid body with one part replaced by anything → 200 or 400 BAD_REQUEST', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), fc.jsonValue({ maxDepth: 3 }), async (path, value) => {
        const body = JSON.parse(JSON.stringify(tripRunBody(email, { latitude: 1, longitude: 2 }, { latitude: 1.01, longitude: 2.01 }))) as Record<string, any>;
        let at = body;
        for (const key of path.slice(0, -1)) at = at[key];
        at[path.at(-1)!] = value;
        const res = await post(JSON.stringify(body));
        expect([200, 400], res.body).toContain(res.statusCode);
        if (res.statusCode === 400) expect(res.json().code).toBe('BAD_REQUEST');
      }),
      { numRuns: 200 },
    );
  });

  it('hostile run ids → 404 NOT_FOUND', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 80 }), async (id) => {
        const res = await h.app.inject({ url: `/v1/sandbox/run/${encodeURIComponent(id)}`, headers: { authorization: `Bearer ${tenant.token}` } });
        expect(res.statusCode, res.body).toBeLessThan(500);
        if (res.statusCode === 404 && res.json().code !== 'resource_not_found') expect(res.json().code).toBe('NOT_FOUND');
      }),
      { numRuns: 100 },
    );
  });
});
