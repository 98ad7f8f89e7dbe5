import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../../src/modules/oauth/client.service.js';
import { disableClient } from '../../../src/modules/oauth/client-disable.service.js';
import { bearer, createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { basic, REDIRECT, tokenRequest } from '../../helpers/oauth-flow.js';
import { createRider } from '../../helpers/riders.js';

let h: Harness;
let tenant: Tenant;
beforeAll(async () => {
  h = await createHarness();
  tenant = await h.seedTenant();
});
afterAll(async () => h.close());

describe('H13: disabling a client revokes its tokens', () => {
  it('every access and refresh token of the client is stored as revoked; the API and introspection refuse them; other clients keep theirs', async () => {
    const app = await createClient(h.ctx, { kind: 'FIRST_PARTY', organizationId: tenant.organizationId, scopes: ['organizations.voucher_programs', 'vouchers.redeem'], redirectUris: [REDIRECT] });
    const token = await h.token(app.client_id, app.client_secret);
    await createRider(h, app);
    const db = h.ctx.database.db;
    await db
      .insertInto('oauth_refresh_tokens')
      .values({ id: h.ctx.ids.next(), token_hash: 'f'.repeat(64), family_id: h.ctx.ids.next(), client_id: app.client_id, user_id: tenant.adminUserId, scope: 'vouchers.redeem', expires_at: h.clock.now() + 86_400_000, used_at: null, revoked_at: null, created_at: h.clock.now() })
      .execute();
    const result = await disableClient(h.ctx, app.client_id);
    expect(result).toMatchObject({ client_id: app.client_id, revoked_tokens: 2 });
    const live = await db.selectFrom('oauth_tokens').select('id').where('client_id', '=', app.client_id).where('revoked_at', 'is', null).execute();
    const liveRefresh = await db.selectFrom('oauth_refresh_tokens').select('id').where('client_id', '=', app.client_id).where('revoked_at', 'is', null).execute();
    expect(live).toEqual([]);
    expect(liveRefresh).toEqual([]);
    const program = `/v1/organizations/${tenant.organizationId}/voucher-programs/search`;
    expect((await h.app.inject({ method: 'POST', url: program, headers: bearer(token), payload: {} })).statusCode).toBe(401);
    const introspect = await h.app.inject({
      method: 'POST',
      url: '/oauth/v2/introspect',
      headers: { authorization: basic(tenant.clientId, tenant.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ token }).toString(),
    });
    expect(introspect.json()).toEqual({ active: false });
    expect((await tokenRequest(h, { grant_type: 'client_credentials' }, { authorization: basic(app.client_id, app.client_secret) })).statusCode).toBe(401);
    // The tenant's own client is untouched.
    expect((await h.app.inject({ method: 'POST', url: program, headers: bearer(tenant.token), payload: {} })).statusCode).toBe(200);
  });
});
