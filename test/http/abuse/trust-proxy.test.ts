import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../helpers/harness.js';
import { burst, countStatuses, listenReal, loginForm, type LoginForm, type RealHttp } from '../../helpers/http-burst.js';
import { REDIRECT, codeClient } from '../../helpers/oauth-flow.js';

const MAX_FAILURES = 2; // 8 per address

interface Setup {
  h: Harness;
  http: RealHttp;
  form: LoginForm;
}

async function setup(trustProxy: string): Promise<Setup> {
  const h = await createHarness({
    env: { TRUST_PROXY: trustProxy, LOGIN_MAX_FAILURES: String(MAX_FAILURES), LOGIN_CONCURRENT_PER_ACCOUNT: '1000', LOGIN_CONCURRENT_PER_ADDRESS: '1000' },
  });
  const http = await listenReal(h);
  const tenant = await h.seedTenant();
  return { h, http, form: await loginForm(http, await codeClient(h, tenant.organizationId), REDIRECT) };
}

let spoof = 0;
/** What a client behind one proxy sends: a forged leftmost entry, then the proxy appends the real address. */
function forwardedFor(realClient: string): Record<string, string> {
  spoof += 1;
  return { 'x-forwarded-for': `10.${spoof % 250}.${Math.floor(spoof / 250)}.1, ${realClient}` };
}

describe.each([
  ['a hop count', '1'],
  ['a proxy list', '127.0.0.1/32, 10.99.0.0/16'],
])('H3: TRUST_PROXY as %s: per-address sign-in limits apply to the real client address', (_label, trustProxy) => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup(trustProxy);
  });
  afterAll(async () => {
    await s.http.close();
    await s.h.close();
  });

  it('a forged leftmost X-Forwarded-For does not reset the address budget; another address keeps its own', async () => {
    const statuses = await burst(30, (i) => s.form.post(`nobody${i}@example.com`, 'wrong', forwardedFor('203.0.113.7')));
    const counts = countStatuses(statuses);
    expect(counts[401]).toBe(4 * MAX_FAILURES);
    expect(counts[429]).toBe(30 - 4 * MAX_FAILURES);
    const rows = await s.h.ctx.database.db.selectFrom('rate_limit_counters').select(['bucket', 'count']).where('bucket', 'like', 'login:ip:%').execute();
    expect(rows).toEqual([{ bucket: 'login:ip:203.0.113.7', count: 4 * MAX_FAILURES }]);
    // Another client behind the same proxy is not locked out by the first one's failures.
    expect(await s.form.post('someone@example.com', 'wrong', forwardedFor('198.51.100.9'))).toBe(401);
  });
});
