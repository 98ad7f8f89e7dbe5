import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedClient } from '../../../src/modules/oauth/client.service.js';
import { createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { burst, countStatuses, listenReal, type RealHttp } from '../../helpers/http-burst.js';
import { REDIRECT, approveViaForms, basic, codeClient, pkcePair, rider, tokenRequest } from '../../helpers/oauth-flow.js';

const CC_LIMIT = 5;
const USER_LIMIT = 3;
const LIVE_CAP = 2;
let h: Harness;
let tenant: Tenant;
let http: RealHttp;

beforeAll(async () => {
  h = await createHarness({ env: { TOKEN_RATE_LIMIT: String(CC_LIMIT), TOKEN_USER_RATE_LIMIT: String(USER_LIMIT), TOKEN_CLIENT_USER_RATE_LIMIT: '1000', MAX_LIVE_TOKENS_PER_CLIENT: String(LIVE_CAP) } });
  tenant = await h.seedTenant();
  http = await listenReal(h);
});
afterAll(async () => {
  await http?.close();
  await h.close();
});

/** A user signs in and approves; the app exchanges the code (the real flow). */
async function codeExchange(app: CreatedClient, email: string) {
  const pkce = pkcePair();
  const location = await approveViaForms(
    h,
    { response_type: 'code', client_id: app.client_id, redirect_uri: REDIRECT, scope: 'vouchers.redeem', code_challenge: pkce.challenge, code_challenge_method: 'S256' },
    { email },
  );
  return tokenRequest(
    h,
    { grant_type: 'authorization_code', code: location.searchParams.get('code') ?? '', redirect_uri: REDIRECT, code_verifier: pkce.verifier },
    { authorization: basic(app.client_id, app.client_secret) },
  );
}

const refresh = (app: CreatedClient, refreshToken: string) =>
  tokenRequest(h, { grant_type: 'refresh_token', refresh_token: refreshToken }, { authorization: basic(app.client_id, app.client_secret) });

describe('H6: token mint limits: client_credentials per client, user grants per user', () => {
  it("one user's refreshes spend that user's budget only: another user's code exchange still works", async () => {
    const app = await codeClient(h, tenant.organizationId);
    const heavy = await rider(h);
    const first = await codeExchange(app, heavy.email);
    expect(first.statusCode, first.body).toBe(200);
    let refreshToken = first.json().refresh_token as string;
    let granted = 1;
    let limited: Awaited<ReturnType<typeof refresh>> | undefined;
    for (let i = 0; i < 10 && !limited; i++) {
      const res = await refresh(app, refreshToken);
      if (res.statusCode === 200) {
        granted += 1;
        refreshToken = res.json().refresh_token as string;
      } else limited = res;
    }
    expect(granted).toBe(USER_LIMIT);
    expect(limited?.statusCode).toBe(429);
    expect(limited?.json().error).toBe('rate_limited');
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThan(0);
    const other = await rider(h);
    expect((await codeExchange(app, other.email)).statusCode).toBe(200);
    // The refused refresh token was not used up: it works once the window has passed.
    h.clock.advance(h.ctx.config.tokenRateWindowSeconds * 1000);
    expect((await refresh(app, refreshToken)).statusCode).toBe(200);
  });

  it('H13: 20 parallel client_credentials mints: exactly TOKEN_RATE_LIMIT succeed; the same app\'s user grants are unaffected', async () => {
    const app = await codeClient(h, tenant.organizationId);
    const statuses = await burst(20, async () => {
      const res = await http.send('POST', '/oauth/v2/token', {
        headers: { authorization: basic(app.client_id, app.client_secret), 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&scope=organizations.voucher_programs',
      });
      return res.status;
    });
    expect(countStatuses(statuses)).toEqual({ 200: CC_LIMIT, 429: 20 - CC_LIMIT });
    // The live-token cap holds under the parallel mints: the oldest beyond it were revoked.
    const live = await h.ctx.database.db
      .selectFrom('oauth_tokens')
      .select('id')
      .where('client_id', '=', app.client_id)
      .where('grant_type', '=', 'client_credentials')
      .where('revoked_at', 'is', null)
      .execute();
    expect(live).toHaveLength(LIVE_CAP);
    const user = await rider(h);
    expect((await codeExchange(app, user.email)).statusCode).toBe(200);
  });
});
