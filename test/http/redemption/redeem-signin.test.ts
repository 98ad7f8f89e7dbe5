import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDEEM_CLIENT_ID } from '../../../src/modules/redemption/redeem-client.js';
import { RIDER_SESSION_COOKIE, SIGN_IN_FLOW_COOKIE } from '../../../src/modules/redemption/redeem-page.routes.js';
import { claimRows, multiCodeProgram } from '../../helpers/claims.js';
import { createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { approveViaForms, browser, formFields, rider, type BrowserFlow } from '../../helpers/oauth-flow.js';

/**
 * Sign-in of the redemption link page through voucherd's own OAuth client:
 * authorization_code + PKCE S256, state bound to an HttpOnly flow cookie, RFC 9207 iss, exchange
 * through the grant, rider session cookie, sign-out. Driven with app.inject and the real pages.
 */
let h: Harness;
let tenant: Tenant;
const ISSUER = 'https://vouchers.test';
const CALLBACK = `${ISSUER}/redeem/callback`;

beforeAll(async () => {
  h = await createHarness();
  tenant = await h.seedTenant();
});
afterAll(async () => {
  await h.close();
});

function setCookies(res: LightMyRequestResponse): string[] {
  const raw = res.headers['set-cookie'];
  return raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
}

function cookieLine(res: LightMyRequestResponse, name: string): string | undefined {
  return setCookies(res).find((line) => line.startsWith(`${name}=`));
}

async function oneCode(): Promise<{ programId: string; code: string }> {
  const { programId, codes } = await multiCodeProgram(h, tenant, 1);
  return { programId, code: codes[0]! };
}

/** Clicks "Sign in to claim": returns the authorize URL's parameters; the jar keeps the flow cookie. */
async function startSignIn(b: BrowserFlow, code: string): Promise<{ res: LightMyRequestResponse; params: Record<string, string> }> {
  const res = await b.get(`/redeem/${code}/sign-in`);
  expect(res.statusCode).toBe(303);
  const location = new URL(res.headers.location as string, ISSUER);
  expect(location.pathname).toBe('/oauth/v2/authorize');
  return { res, params: Object.fromEntries(location.searchParams) };
}

/** Start → log in → consent → the callback URL the authorization server sends the browser to. */
async function authorizedCallback(b: BrowserFlow, code: string, email: string): Promise<URL> {
  const { params } = await startSignIn(b, code);
  const back = await approveViaForms(h, params, { email }, b);
  expect(back.origin + back.pathname).toBe(CALLBACK);
  return back;
}

async function tokenRows(userId: string) {
  return h.ctx.database.db.selectFrom('oauth_tokens').selectAll().where('user_id', '=', userId).execute();
}

describe('redemption page sign-in (authorization_code + PKCE through voucherd itself)', () => {
  it('signed out: the page links to the sign-in start; localized', async () => {
    const { code } = await oneCode();
    const res = await h.app.inject({ method: 'GET', url: `/redeem/${code}`, headers: { 'accept-language': 'de-DE' } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`<a id="sign-in" href="/redeem/${code}/sign-in">Anmelden und einlösen</a>`);
    expect(res.body).toContain('<html lang="de-DE">');
  });

  it('start: S256 challenge of the verifier kept in an HttpOnly, Secure, SameSite=Lax flow cookie bound to state; the client exists once, hashed', async () => {
    const { code } = await oneCode();
    const b = browser(h);
    const first = await startSignIn(b, code);
    expect(first.params).toMatchObject({
      response_type: 'code',
      client_id: REDEEM_CLIENT_ID,
      redirect_uri: CALLBACK,
      scope: 'vouchers.redeem',
      code_challenge_method: 'S256',
    });
    const line = cookieLine(first.res, SIGN_IN_FLOW_COOKIE)!;
    expect(line).toMatch(/; Path=\/redeem\/callback; HttpOnly; SameSite=Lax; Max-Age=600; Secure$/);
    const [state, verifier, flowCode] = line.split(';')[0]!.slice(SIGN_IN_FLOW_COOKIE.length + 1).split('.');
    expect(state).toBe(first.params.state);
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(flowCode).toBe(code);
    expect(first.params.code_challenge).toBe(createHash('sha256').update(verifier!).digest('base64url'));
    expect(first.res.body).not.toContain(verifier!);
    expect(first.res.headers.location).not.toContain(verifier!);
    // A second start: new state and verifier, still one client row.
    const second = await startSignIn(browser(h), code);
    expect(second.params.state).not.toBe(first.params.state);
    const clients = await h.ctx.database.db.selectFrom('oauth_clients').selectAll().where('client_id', '=', REDEEM_CLIENT_ID).execute();
    expect(clients).toHaveLength(1);
    expect(clients[0]).toMatchObject({ kind: 'THIRD_PARTY', organization_id: null, scopes: 'vouchers.redeem', redirect_uris: JSON.stringify([CALLBACK]), disabled_at: null });
    expect(clients[0]!.secret_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('full flow: login + consent → callback sets the rider cookie and returns to the code; one click claims', async () => {
    const { programId, code } = await oneCode();
    const r = await rider(h);
    const b = browser(h);
    const back = await authorizedCallback(b, code, r.email);
    expect(back.searchParams.get('iss')).toBe(ISSUER);
    const callback = await b.get(back.pathname + back.search);
    expect(callback.statusCode).toBe(303);
    expect(callback.headers.location).toBe(`/redeem/${code}`);
    const session = cookieLine(callback, RIDER_SESSION_COOKIE)!;
    expect(session).toMatch(/; Path=\/redeem; HttpOnly; SameSite=Lax; Max-Age=3600; Secure$/);
    expect(cookieLine(callback, SIGN_IN_FLOW_COOKIE)).toMatch(/^voucherd_redeem_flow=; Path=\/redeem\/callback; .*Max-Age=0/);
    // The token: issued to the web redemption client for this rider, vouchers.redeem only; no live refresh token.
    const tokens = await tokenRows(r.userId);
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({ client_id: REDEEM_CLIENT_ID, grant_type: 'authorization_code', scope: 'vouchers.redeem', revoked_at: null });
    expect(Number(tokens[0]!.expires_at)).toBe(h.clock.now() + 3600_000);
    const refresh = await h.ctx.database.db.selectFrom('oauth_refresh_tokens').selectAll().where('user_id', '=', r.userId).execute();
    expect(refresh).toHaveLength(1);
    expect(refresh[0]!.revoked_at).not.toBeNull();

    const ready = await b.get(`/redeem/${code}`);
    expect(ready.body).toContain('data-outcome="ready"');
    const claimed = await b.post(`/redeem/${code}`, { csrf_token: formFields(ready.body).csrf_token! }, { 'accept-language': 'pt-BR' });
    expect(claimed.statusCode).toBe(200);
    expect(claimed.body).toContain('data-outcome="claimed"');
    expect(claimed.body).toContain('<h1 id="outcome" data-outcome="claimed">Voucher resgatado</h1>');
    const rows = await claimRows(h, programId);
    expect(rows.vouchers.map((v) => v.user_id)).toEqual([r.userId]);
    expect(rows.redemptions).toBe(1);
  });

  it('state mismatch, missing flow cookie (login CSRF) or a replayed callback: refused, code not redeemed, no session', async () => {
    const { code } = await oneCode();
    const r = await rider(h);
    // Wrong state.
    const b1 = browser(h);
    const back1 = await authorizedCallback(b1, code, r.email);
    back1.searchParams.set('state', 'x'.repeat(43));
    const wrong = await b1.get(back1.pathname + back1.search);
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('data-outcome="sign_in_invalid"');
    expect(cookieLine(wrong, RIDER_SESSION_COOKIE)).toBeUndefined();
    // The attacker's own callback URL opened in a victim's browser (no flow cookie there).
    const back2 = await authorizedCallback(browser(h), code, r.email);
    const victim = await h.app.inject({ method: 'GET', url: back2.pathname + back2.search });
    expect(victim.statusCode).toBe(400);
    expect(victim.body).toContain('data-outcome="sign_in_invalid"');
    expect(cookieLine(victim, RIDER_SESSION_COOKIE)).toBeUndefined();
    // Neither authorization code was exchanged.
    const codes = await h.ctx.database.db.selectFrom('oauth_codes').select('consumed_at').where('user_id', '=', r.userId).execute();
    expect(codes).toHaveLength(2);
    expect(codes.every((c) => c.consumed_at === null)).toBe(true);
    expect(await tokenRows(r.userId)).toHaveLength(0);
    // A good callback works once; replaying it finds no flow (single use).
    const b3 = browser(h);
    const back3 = await authorizedCallback(b3, code, r.email);
    const flowCookie = b3.jar.cookies.get(SIGN_IN_FLOW_COOKIE)!;
    expect((await b3.get(back3.pathname + back3.search)).statusCode).toBe(303);
    const replay = await h.app.inject({ method: 'GET', url: back3.pathname + back3.search, headers: { cookie: `${SIGN_IN_FLOW_COOKIE}=${flowCookie}` } });
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toContain('data-outcome="sign_in_expired"');
    // The code's reuse revoked the family (RFC 6749 §4.1.2): the first session token is dead too.
    const tokens = await tokenRows(r.userId);
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.revoked_at).not.toBeNull();
  });

  it('iss missing or naming another issuer (mix-up, RFC 9207): refused before any exchange', async () => {
    const { code } = await oneCode();
    const r = await rider(h);
    for (const iss of [null, 'https://evil.example', `${ISSUER}/`]) {
      const b = browser(h);
      const back = await authorizedCallback(b, code, r.email);
      if (iss === null) back.searchParams.delete('iss');
      else back.searchParams.set('iss', iss);
      const res = await b.get(back.pathname + back.search);
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('data-outcome="sign_in_invalid"');
      expect(cookieLine(res, RIDER_SESSION_COOKIE)).toBeUndefined();
    }
    expect(await tokenRows(r.userId)).toHaveLength(0);
  });

  it('denied consent → friendly localized page with "try again" to the same code; no token', async () => {
    const { code } = await oneCode();
    const r = await rider(h);
    const b = browser(h);
    const { params } = await startSignIn(b, code);
    const login = await b.get(`/oauth/v2/authorize?${new URLSearchParams(params)}`);
    const signedIn = await b.post('/oauth/v2/authorize', { ...formFields(login.body), email: r.email, password: 'correct horse battery staple' });
    const consent = await b.get(signedIn.headers.location as string);
    expect(consent.body).toContain('Voucher redemption page');
    const denied = await b.post('/oauth/v2/authorize', { ...formFields(consent.body), action: 'deny' });
    const back = new URL(denied.headers.location as string);
    expect(back.searchParams.get('error')).toBe('access_denied');
    const res = await b.get(back.pathname + back.search, { 'accept-language': 'fr-FR' });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('data-outcome="sign_in_denied"');
    expect(res.body).toContain('Connexion non terminée');
    expect(res.body).toContain(`<a id="try-again" href="/redeem/${code}">Réessayer</a>`);
    expect(res.body).not.toMatch(/Error|at \w+ \(/);
    expect(await tokenRows(r.userId)).toHaveLength(0);
  });

  it('expired: a flow older than 10 minutes, or an authorization code past its 60 s, gives "try again"', async () => {
    const { code } = await oneCode();
    const r = await rider(h);
    const b1 = browser(h);
    const back1 = await authorizedCallback(b1, code, r.email);
    h.clock.advance(61_000);
    const lateCode = await b1.get(back1.pathname + back1.search);
    expect(lateCode.statusCode).toBe(400);
    expect(lateCode.body).toContain('data-outcome="sign_in_expired"');
    const b2 = browser(h);
    const back2 = await authorizedCallback(b2, code, r.email);
    h.clock.advance(601_000);
    const lateFlow = await b2.get(back2.pathname + back2.search);
    expect(lateFlow.statusCode).toBe(400);
    expect(lateFlow.body).toContain('data-outcome="sign_in_expired"');
    expect(lateFlow.body).toContain(`href="/redeem/${code}"`);
    expect(await tokenRows(r.userId)).toHaveLength(0);
  });

  it('PKCE: a flow cookie with another verifier (same state) cannot redeem the code', async () => {
    const { code } = await oneCode();
    const r = await rider(h);
    const b = browser(h);
    const back = await authorizedCallback(b, code, r.email);
    const [state, , flowCode, startedAt] = b.jar.cookies.get(SIGN_IN_FLOW_COOKIE)!.split('.');
    b.jar.cookies.set(SIGN_IN_FLOW_COOKIE, [state, 'v'.repeat(43), flowCode, startedAt].join('.'));
    const res = await b.get(back.pathname + back.search);
    expect(res.statusCode).toBe(400);
    expect(cookieLine(res, RIDER_SESSION_COOKIE)).toBeUndefined();
    expect(await tokenRows(r.userId)).toHaveLength(0);
  });

  it('never an open redirect: only /redeem/{well-formed code} is started or returned to', async () => {
    for (const target of ['https:%2F%2Fevil.example', '%2F%2Fevil.example', '..%2F..%2Foauth', 'AAAA']) {
      const res = await h.app.inject({ method: 'GET', url: `/redeem/${target}/sign-in` });
      expect(res.statusCode).toBe(404);
      expect(res.headers.location).toBeUndefined();
      expect(cookieLine(res, SIGN_IN_FLOW_COOKIE)).toBeUndefined();
    }
    // A forged flow cookie naming another destination is no flow at all.
    const { code } = await oneCode();
    const r = await rider(h);
    const b = browser(h);
    const back = await authorizedCallback(b, code, r.email);
    const [state, verifier, , startedAt] = b.jar.cookies.get(SIGN_IN_FLOW_COOKIE)!.split('.');
    b.jar.cookies.set(SIGN_IN_FLOW_COOKIE, [state, verifier, '//evil.example', startedAt].join('.'));
    const res = await b.get(back.pathname + back.search);
    expect(res.statusCode).toBe(400);
    expect(res.headers.location).toBeUndefined();
    expect(res.body).toContain('data-outcome="sign_in_invalid"');
    // A messy code is normalized before it is stored: the callback returns to the canonical form.
    const messy = `${code.slice(0, 4).toLowerCase()}-${code.slice(4)}`;
    const b2 = browser(h);
    const { params } = await startSignIn(b2, messy);
    const done = await approveViaForms(h, params, { email: r.email }, b2);
    const cb = await b2.get(done.pathname + done.search);
    expect(cb.headers.location).toBe(`/redeem/${code}`);
  });

  it('malformed cookies are no session and no flow (never a 500)', async () => {
    const { code } = await oneCode();
    const page = await h.app.inject({ method: 'GET', url: `/redeem/${code}`, headers: { cookie: `${RIDER_SESSION_COOKIE}=%E0%A4%A` } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-outcome="sign_in"');
    const cb = await h.app.inject({ method: 'GET', url: '/redeem/callback?code=x&state=y&iss=https%3A%2F%2Fvouchers.test', headers: { cookie: `${SIGN_IN_FLOW_COOKIE}=%E0%A4%A` } });
    expect(cb.statusCode).toBe(400);
    expect(cb.body).toContain('data-outcome="sign_in_invalid"');
  });

  it('a disabled redemption client: sign-in fails with a friendly page', async () => {
    const { code } = await oneCode();
    const r = await rider(h);
    const b = browser(h);
    const back = await authorizedCallback(b, code, r.email);
    await h.ctx.database.db.updateTable('oauth_clients').set({ disabled_at: h.clock.now() }).where('client_id', '=', REDEEM_CLIENT_ID).execute();
    try {
      const res = await b.get(back.pathname + back.search);
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('data-outcome="sign_in_failed"');
      expect(await tokenRows(r.userId)).toHaveLength(0);
    } finally {
      await h.ctx.database.db.updateTable('oauth_clients').set({ disabled_at: null }).where('client_id', '=', REDEEM_CLIENT_ID).execute();
    }
  });

  it('sign out: CSRF-checked; revokes the token and clears the cookie', async () => {
    const { code } = await oneCode();
    const r = await rider(h);
    const b = browser(h);
    const back = await authorizedCallback(b, code, r.email);
    await b.get(back.pathname + back.search);
    const ready = await b.get(`/redeem/${code}`);
    expect(ready.body).toContain('id="sign-out"');
    const forged = await b.post(`/redeem/${code}/sign-out`, { csrf_token: 'f'.repeat(64) });
    expect(forged.statusCode).toBe(403);
    expect((await tokenRows(r.userId))[0]!.revoked_at).toBeNull();
    const out = await b.post(`/redeem/${code}/sign-out`, { csrf_token: formFields(ready.body).csrf_token! });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe(`/redeem/${code}`);
    expect(cookieLine(out, RIDER_SESSION_COOKIE)).toMatch(/^voucherd_rider=; Path=\/redeem; HttpOnly; SameSite=Lax; Max-Age=0/);
    expect(Number((await tokenRows(r.userId))[0]!.revoked_at)).toBe(h.clock.now());
    const after = await b.get(`/redeem/${code}`);
    expect(after.body).toContain('data-outcome="sign_in"');
  });
});

describe('cookies over plain http', () => {
  it('no Secure attribute when PUBLIC_URL is http', async () => {
    const plain = await createHarness({ env: { PUBLIC_URL: 'http://127.0.0.1:8080' } });
    try {
      const { codes } = await multiCodeProgram(plain, await plain.seedTenant(), 1);
      const res = await plain.app.inject({ method: 'GET', url: `/redeem/${codes[0]}/sign-in` });
      expect(res.statusCode).toBe(303);
      expect(cookieLine(res, SIGN_IN_FLOW_COOKIE)).toMatch(/; Path=\/redeem\/callback; HttpOnly; SameSite=Lax; Max-Age=600$/);
      expect(new URL(res.headers.location as string, 'http://x').searchParams.get('redirect_uri')).toBe('http://127.0.0.1:8080/redeem/callback');
    } finally {
      await plain.close();
    }
  });
});
