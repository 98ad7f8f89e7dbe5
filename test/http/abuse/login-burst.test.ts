import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/lib/secrets.js';
import { createHarness, type Harness } from '../../helpers/harness.js';
import { burst, countStatuses, listenReal, loginForm, type LoginForm, type RealHttp } from '../../helpers/http-burst.js';
import { PASSWORD, REDIRECT, codeClient, rider } from '../../helpers/oauth-flow.js';

const MAX_FAILURES = 5;
let h: Harness;
let http: RealHttp;
let form: LoginForm;

beforeAll(async () => {
  // The in-process caps per account/address are lifted here so that the database slots alone
  // decide: what these tests guard must hold across processes too.
  h = await createHarness({
    env: { LOGIN_MAX_FAILURES: String(MAX_FAILURES), LOGIN_CONCURRENT_PER_ACCOUNT: '1000', LOGIN_CONCURRENT_PER_ADDRESS: '1000', LOGIN_HASH_CONCURRENCY: '4' },
  });
  http = await listenReal(h);
  const tenant = await h.seedTenant();
  form = await loginForm(http, await codeClient(h, tenant.organizationId), REDIRECT);
});
afterAll(async () => {
  await http?.close();
  await h.close();
});

async function counter(bucket: string): Promise<number> {
  // The fixed window the clock is in now (lib/rate-limit.ts).
  const windowMs = h.ctx.config.loginWindowSeconds * 1000;
  const windowStart = Math.floor(h.clock.now() / windowMs) * windowMs;
  const row = await h.ctx.database.db.selectFrom('rate_limit_counters').select('count').where('bucket', '=', bucket).where('window_start', '=', windowStart).executeTakeFirst();
  return Number(row?.count ?? 0);
}

describe('H1: sign-in limits hold under parallel bursts (real HTTP)', () => {
  it('60 parallel wrong passwords for one account: at most LOGIN_MAX_FAILURES are checked, the rest 429; the right password is then refused', async () => {
    const { email } = await rider(h);
    const statuses = await burst(60, () => form.post(email, 'wrong password'));
    const counts = countStatuses(statuses);
    // 401 = the password was checked and was wrong; 429 = refused before any check.
    expect(counts[401]).toBe(MAX_FAILURES);
    expect(counts[429]).toBe(60 - MAX_FAILURES);
    expect(await counter(`login:email:${sha256Hex(email)}`)).toBe(MAX_FAILURES);
    expect(await form.post(email, PASSWORD)).toBe(429);
  });

  it('a success gives its slot back: failures below the limit and a sign-in leave room for the next sign-in', async () => {
    const { email } = await rider(h);
    expect(countStatuses(await burst(MAX_FAILURES - 1, () => form.post(email, 'wrong password')))[401]).toBe(MAX_FAILURES - 1);
    expect(await form.post(email, PASSWORD)).toBe(303);
    expect(await counter(`login:email:${sha256Hex(email)}`)).toBe(MAX_FAILURES - 1);
    expect(await form.post(email, PASSWORD)).toBe(303);
  });

  it('150 parallel wrong sign-ins from one address (many accounts): at most 4 × LOGIN_MAX_FAILURES are checked', async () => {
    h.clock.advance(h.ctx.config.loginWindowSeconds * 1000); // a fresh window for this address
    const statuses = await burst(150, (i) => form.post(`nobody${i}@example.com`, 'wrong password'));
    const counts = countStatuses(statuses);
    expect(counts[401]).toBe(4 * MAX_FAILURES);
    expect(counts[429]).toBe(150 - 4 * MAX_FAILURES);
    expect(await counter('login:ip:127.0.0.1')).toBe(4 * MAX_FAILURES);
  });
});
