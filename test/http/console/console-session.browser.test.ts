import { beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../../helpers/axe.js';
import { signInThroughPages, useConsoleRig } from '../../helpers/console-browser.js';
import { bearer } from '../../helpers/harness.js';

/**
 * The console's session (docs/console.md, Signing out): a reload signs in again silently through
 * voucherd's sign-in session (`prompt=none`); sign-out revokes the tokens the page held and ends
 * that session, so the next sign-in asks for the password again.
 */

let programId: string;

const rig = useConsoleRig();

beforeAll(async () => {
  programId = await rig.h.createProgram(rig.alpha, { name: 'Airport rides' });
});

const sessions = async () =>
  (await rig.h.ctx.database.db.selectFrom('oauth_sessions').select('id').where('user_id', '=', rig.alpha.adminUserId).execute()).length;

describe('console session', () => {
  it('a reload signs in silently; sign-out revokes the token the page held and ends the voucherd session', async () => {
    const context = await rig.browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'en-US' });
    const page = await context.newPage();
    // The token the page holds, read from its own network traffic.
    const accessTokens: string[] = [];
    page.on('response', async (r) => {
      if (r.url() === `${rig.base}/oauth/v2/token` && r.status() === 200) accessTokens.push(((await r.json()) as { access_token: string }).access_token);
    });
    const authorizeRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(`${rig.base}/oauth/v2/authorize?`)) authorizeRequests.push(r.url());
    });
    const programUrl = `${rig.base}/console/orgs/${rig.alpha.organizationId}/programs`;
    try {
      // No session yet: the silent attempt comes back login_required and the sign-in screen shows, no error.
      await page.goto(programUrl);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect(new URL(authorizeRequests[0]!).searchParams.get('prompt')).toBe('none');
      expect(await page.getByRole('alert').count()).toBe(0);
      expect(await axeViolations(page)).toEqual([]);
      await signInThroughPages(page, rig.base, rig.adminEmail);
      await page.getByRole('row', { name: /Airport rides/ }).waitFor();
      expect(accessTokens).toHaveLength(1);
      expect(await sessions()).toBe(1);

      // Reload: tokens were in memory only, yet the page is back on the same screen without a click.
      await page.reload();
      await page.getByRole('row', { name: /Airport rides/ }).waitFor();
      expect(page.url()).toBe(programUrl);
      expect(accessTokens).toHaveLength(2);
      const held = accessTokens[1]!;
      const api = `/v1/organizations/${rig.alpha.organizationId}/voucher-programs/${programId}`;
      expect((await rig.h.app.inject({ method: 'GET', url: api, headers: bearer(held) })).statusCode).toBe(200);

      // Sign out: the token the page held is refused, and voucherd's session is gone.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByText('You are signed out.').waitFor();
      expect((await fetch(`${rig.base}${api}`, { headers: bearer(held) })).status).toBe(401);
      expect(await sessions()).toBe(0);
      expect(await axeViolations(page)).toEqual([]);

      // A reload after sign-out stays signed out; signing in asks for the password again.
      await page.reload();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect(accessTokens).toHaveLength(2);
      await Promise.all([page.waitForURL(/\/oauth\/v2\/authorize\?/), page.getByRole('button', { name: 'Sign in with voucherd' }).click()]);
      await page.getByLabel('Password').waitFor();
    } finally {
      await context.close();
    }
  });

  it('prompt=none: login_required without a session, never a page; another prompt value is invalid_request; logout without a session is 204', async () => {
    const query = (clientId: string, redirectUri: string) =>
      new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: redirectUri,
        scope: 'organizations.voucher_programs.delegated',
        state: 's1',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGjSjwG6mX',
        code_challenge_method: 'S256',
        prompt: 'none',
      });
    const noSession = await fetch(`${rig.base}/oauth/v2/authorize?${query('voucherd-console', `${rig.base}/console/callback`)}`, { redirect: 'manual' });
    expect(noSession.status).toBe(302);
    const back = new URL(noSession.headers.get('location')!);
    expect(back.searchParams.get('error')).toBe('login_required');
    expect(back.searchParams.get('state')).toBe('s1');
    // Any other prompt value is refused at the redirect URI.
    const login = await fetch(`${rig.base}/oauth/v2/authorize?${query('voucherd-console', `${rig.base}/console/callback`).toString().replace('prompt=none', 'prompt=login')}`, { redirect: 'manual' });
    expect(new URL(login.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
    // Logout without a session is a no-op 204.
    const logout = await fetch(`${rig.base}/oauth/v2/logout`, { method: 'POST' });
    expect(logout.status).toBe(204);
  });
});
