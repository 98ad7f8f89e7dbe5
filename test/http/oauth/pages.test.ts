import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedClient } from '../../../src/modules/oauth/client.service.js';
import { formToken } from '../../../src/http/csrf.js';
import { createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { authorizeUrl, browser, codeClient, formFields, PASSWORD, pkcePair, REDIRECT, rider } from '../../helpers/oauth-flow.js';

let h: Harness;
let tenant: Tenant;
let client: CreatedClient;
beforeAll(async () => {
  h = await createHarness({ env: { LOGIN_MAX_FAILURES: '3' } });
  tenant = await h.seedTenant();
  client = await codeClient(h, tenant.organizationId);
});
afterAll(async () => {
  await h.close();
});

const params = () => ({
  response_type: 'code',
  client_id: client.client_id,
  redirect_uri: REDIRECT,
  scope: 'vouchers.redeem',
  state: 'xyz',
  code_challenge: pkcePair().challenge,
  code_challenge_method: 'S256',
});

describe('login and consent pages (A11)', () => {
  it('are accessible, unframeable, uncached HTML with a CSRF token', async () => {
    const b = browser(h);
    const res = await b.get(authorizeUrl(params()));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatch(/<html lang="en-US">/);
    expect(res.body).toMatch(/<main>[\s\S]*<h1>/);
    expect(res.body).toContain('<label for="email">');
    expect(res.body).toContain('<input id="email" name="email" type="email" autocomplete="username" required>');
    expect(res.body).toContain('<label for="password">');
    expect(formFields(res.body).csrf_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The token is keyed by the HttpOnly cookie, never the cookie's value itself (docs/oauth.md, Page security).
    expect(b.jar.cookies.get('voucherd_csrf')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(formFields(res.body).csrf_token).toBe(formToken(b.jar.cookies.get('voucherd_csrf')!, 'oauth-sign-in'));
    expect(String(res.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
  });

  it('are localized through Accept-Language', async () => {
    const b = browser(h);
    const fr = await b.get(authorizeUrl(params()), { 'accept-language': 'fr-FR,fr;q=0.9' });
    expect(fr.body).toContain('<html lang="fr-FR">');
    expect(fr.body).toContain('Mot de passe');
    expect(fr.headers['content-language']).toBe('fr-FR');
    const de = await b.get(authorizeUrl(params()), { 'accept-language': 'de_DE' });
    expect(de.body).toContain('Passwort');
  });

  it('A11: POST without or with a wrong CSRF token → 403, no session, no code', async () => {
    const r = await rider(h);
    const b = browser(h);
    const page = await b.get(authorizeUrl(params()));
    const fields = formFields(page.body);
    const missing = await b.post('/oauth/v2/authorize', { ...fields, csrf_token: '', email: r.email, password: PASSWORD });
    expect(missing.statusCode).toBe(403);
    const wrong = await b.post('/oauth/v2/authorize', { ...fields, csrf_token: 'A'.repeat(43), email: r.email, password: PASSWORD });
    expect(wrong.statusCode).toBe(403);
    // A cross-site POST carries no cookie: the field alone is not enough.
    const noCookie = await h.app.inject({
      method: 'POST',
      url: '/oauth/v2/authorize',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ ...fields, email: r.email, password: PASSWORD }).toString(),
    });
    expect(noCookie.statusCode).toBe(403);
    const sessions = await h.ctx.database.db.selectFrom('oauth_sessions').select('id').where('user_id', '=', r.userId).execute();
    expect(sessions).toHaveLength(0);
  });

  it('H13: the CSRF token is replaced at sign-in: a token learnt before it no longer works', async () => {
    const r = await rider(h);
    const b = browser(h);
    const page = await b.get(authorizeUrl(params()));
    const before = b.jar.cookies.get('voucherd_csrf')!;
    const login = await b.post('/oauth/v2/authorize', { ...formFields(page.body), email: r.email, password: PASSWORD });
    expect(login.statusCode).toBe(303);
    const after = b.jar.cookies.get('voucherd_csrf')!;
    expect(after).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(after).not.toBe(before);
    // The login form's (old) token approves nothing now.
    const stale = await b.post('/oauth/v2/authorize', { ...formFields(page.body), action: 'approve' });
    expect(stale.statusCode).toBe(403);
    const codes = await h.ctx.database.db.selectFrom('oauth_codes').select('id').where('user_id', '=', r.userId).execute();
    expect(codes).toHaveLength(0);
  });

  it('H13: a consent token is bound to the consent shown: other parameters or the raw cookie value → 403', async () => {
    const r = await rider(h);
    const b = browser(h);
    const page = await b.get(authorizeUrl(params()));
    const login = await b.post('/oauth/v2/authorize', { ...formFields(page.body), email: r.email, password: PASSWORD });
    const consent = await b.get(login.headers.location as string);
    const fields = formFields(consent.body);
    expect(fields.csrf_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fields.csrf_token).not.toBe(b.jar.cookies.get('voucherd_csrf'));
    // The same token with a different request (another state, another PKCE challenge) is refused.
    const changes: Record<string, string>[] = [{ state: 'other' }, { code_challenge: pkcePair().challenge }, { scope: 'vouchers.redeem vouchers.trips' }];
    for (const change of changes) {
      const res = await b.post('/oauth/v2/authorize', { ...fields, ...change, action: 'approve' });
      expect(res.statusCode, JSON.stringify(change)).toBe(403);
    }
    // The browser's own token (a double-submit of the cookie) is not a consent token.
    const raw = await b.post('/oauth/v2/authorize', { ...fields, csrf_token: b.jar.cookies.get('voucherd_csrf')!, action: 'approve' });
    expect(raw.statusCode).toBe(403);
    const codes = await h.ctx.database.db.selectFrom('oauth_codes').select('id').where('user_id', '=', r.userId).execute();
    expect(codes).toHaveLength(0);
    // The form as shown still works.
    const ok = await b.post('/oauth/v2/authorize', { ...fields, action: 'approve' });
    expect(ok.statusCode).toBe(303);
    expect(new URL(ok.headers.location as string).searchParams.get('code')).toBeTruthy();
  });

  it('A11: 303 after POST; Deny → error=access_denied with state (and iss), no code', async () => {
    const r = await rider(h);
    const b = browser(h);
    const page = await b.get(authorizeUrl(params()));
    const login = await b.post('/oauth/v2/authorize', { ...formFields(page.body), email: r.email, password: PASSWORD });
    expect(login.statusCode).toBe(303);
    expect(String(login.headers['set-cookie'])).toMatch(/voucherd_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax/);
    const consent = await b.get(login.headers.location as string);
    expect(consent.statusCode).toBe(200);
    expect(consent.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(consent.body).toContain('Fleet dashboard');
    expect(consent.body).toContain(r.email);
    const denied = await b.post('/oauth/v2/authorize', { ...formFields(consent.body), action: 'deny' });
    expect(denied.statusCode).toBe(303);
    const location = new URL(denied.headers.location as string);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('xyz');
    expect(location.searchParams.get('iss')).toBe('https://vouchers.test');
    expect(location.searchParams.get('code')).toBeNull();
    const codes = await h.ctx.database.db.selectFrom('oauth_codes').select('id').where('user_id', '=', r.userId).execute();
    expect(codes).toHaveLength(0);
  });

  it('unknown user and wrong password get the same answer; failures are rate limited (429 + Retry-After)', async () => {
    const r = await rider(h);
    const b = browser(h);
    const fields = formFields((await b.get(authorizeUrl(params()))).body);
    const strip = (html: string) => html.replace(/name="(csrf_token|code_challenge)" value="[^"]*"/g, '');
    const unknown = await b.post('/oauth/v2/authorize', { ...fields, email: `ghost-${r.userId}@example.com`, password: PASSWORD });
    const wrong = await b.post('/oauth/v2/authorize', { ...fields, email: r.email, password: 'wrong password!' });
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    expect(strip(wrong.body)).toBe(strip(unknown.body));
    expect(wrong.body).toContain('role="alert"');
    expect(wrong.headers['set-cookie'] ?? '').not.toContain('voucherd_session');

    await b.post('/oauth/v2/authorize', { ...fields, email: r.email, password: 'wrong password 2' });
    await b.post('/oauth/v2/authorize', { ...fields, email: r.email.toUpperCase(), password: 'wrong password 3' });
    // LOGIN_MAX_FAILURES=3 reached for this email: even the right password is refused for the window.
    const limited = await b.post('/oauth/v2/authorize', { ...fields, email: r.email, password: PASSWORD });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const ghost = `ghost2-${r.userId}@example.com`;
    for (let i = 0; i < 3; i += 1) await b.post('/oauth/v2/authorize', { ...fields, email: ghost, password: 'x' });
    const ghostLimited = await b.post('/oauth/v2/authorize', { ...fields, email: ghost, password: 'x' });
    expect(ghostLimited.statusCode, 'unknown users are limited the same way').toBe(429);
    h.clock.advance(h.ctx.config.loginWindowSeconds * 1000);
    const later = await b.post('/oauth/v2/authorize', { ...fields, email: r.email, password: PASSWORD });
    expect(later.statusCode).toBe(303);
  });

  it('tampered hidden fields are re-validated (a swapped redirect_uri gets the error page)', async () => {
    const r = await rider(h);
    const b = browser(h);
    const fields = formFields((await b.get(authorizeUrl(params()))).body);
    const res = await b.post('/oauth/v2/authorize', { ...fields, redirect_uri: 'https://evil.test/cb', email: r.email, password: PASSWORD });
    expect(res.statusCode).toBe(400);
    expect(res.headers.location).toBeUndefined();
  });
});
