import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleRedirectUri, ensureConsoleClient } from '../../../src/modules/oauth/console-client.js';
import { createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { approveViaForms, authorizeUrl, browser, codeClient, pkcePair, REDIRECT } from '../../helpers/oauth-flow.js';

/**
 * `prompt=none` and `POST /oauth/v2/logout` (docs/oauth.md): with a sign-in session the console
 * gets its code without a page, any other client gets consent_required (voucherd remembers no
 * consent); after logout the same browser gets login_required.
 */
let h: Harness;
let tenant: Tenant;
let email: string;

beforeAll(async () => {
  h = await createHarness();
  tenant = await h.seedTenant('Prompt Rides');
  await ensureConsoleClient(h.ctx);
  email = (await h.ctx.database.db.selectFrom('users').select('email').where('id', '=', tenant.adminUserId).executeTakeFirstOrThrow()).email;
});
afterAll(async () => h?.close());

const request = (clientId: string, redirectUri: string) => ({
  response_type: 'code',
  client_id: clientId,
  redirect_uri: redirectUri,
  scope: 'organizations.voucher_programs.delegated',
  state: 'st',
  code_challenge: pkcePair().challenge,
  code_challenge_method: 'S256',
  prompt: 'none',
});

describe('prompt=none and logout', () => {
  it('a signed-in browser: the console gets a code, another client consent_required; after logout login_required', async () => {
    const client = await codeClient(h, tenant.organizationId);
    const b = browser(h);
    const { prompt: _, ...interactive } = request(client.client_id, REDIRECT);
    await approveViaForms(h, interactive, { email }, b);

    const other = await b.get(authorizeUrl(request(client.client_id, REDIRECT)));
    expect(other.statusCode).toBe(302);
    expect(new URL(other.headers.location as string).searchParams.get('error')).toBe('consent_required');

    const consoleAnswer = await b.get(authorizeUrl(request('voucherd-console', consoleRedirectUri(h.ctx))));
    expect(consoleAnswer.statusCode).toBe(302);
    const back = new URL(consoleAnswer.headers.location as string);
    expect(back.origin + back.pathname).toBe(consoleRedirectUri(h.ctx));
    expect(back.searchParams.get('code')).toBeTruthy();
    expect(back.searchParams.get('state')).toBe('st');

    const out = await b.post('/oauth/v2/logout', {});
    expect(out.statusCode).toBe(204);
    const after = await b.get(authorizeUrl(request('voucherd-console', consoleRedirectUri(h.ctx))));
    expect(new URL(after.headers.location as string).searchParams.get('error')).toBe('login_required');
  });
});
