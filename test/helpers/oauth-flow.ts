import { createHash, randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { createClient, type CreatedClient } from '../../src/modules/oauth/client.service.js';
import { createUser } from '../../src/modules/orgs/org.service.js';
import type { Harness } from './harness.js';

export const PASSWORD = 'correct horse battery staple';
export const REDIRECT = 'https://app.example.com/callback';

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/** A tiny cookie jar for app.inject: remembers Set-Cookie values, sends them back. */
export class CookieJar {
  readonly cookies = new Map<string, string>();
  store(res: LightMyRequestResponse): void {
    const raw = res.headers['set-cookie'];
    for (const line of raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** Hidden inputs of the first form on a page. */
export function formFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[m[1]!] = m[2]!.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
  }
  return fields;
}

export interface CodeClient extends CreatedClient {
  organizationId: string | null;
}

/** A first-party client of `organizationId` allowed the code-grant scopes, with one redirect URI. */
export async function codeClient(h: Harness, organizationId: string, redirectUris = [REDIRECT]): Promise<CreatedClient> {
  return createClient(h.ctx, {
    kind: 'FIRST_PARTY',
    organizationId,
    name: 'Fleet dashboard',
    scopes: ['organizations.voucher_programs', 'organizations.voucher_programs.delegated', 'vouchers.redeem'],
    redirectUris,
  });
}

let userCounter = 0;
export async function rider(h: Harness): Promise<{ email: string; userId: string }> {
  userCounter += 1;
  const email = `rider${userCounter}-${process.pid}-${randomBytes(3).toString('hex')}@example.com`;
  const user = await createUser(h.ctx, { email, password: PASSWORD });
  return { email, userId: user.user_id };
}

export interface BrowserFlow {
  jar: CookieJar;
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  post(url: string, form: Record<string, string>, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

/** A scripted browser over app.inject (cookies kept), for the form steps of the pages. */
export function browser(h: Harness): BrowserFlow {
  const jar = new CookieJar();
  return {
    jar,
    async get(url, headers = {}) {
      const res = await h.app.inject({ method: 'GET', url, headers: { cookie: jar.header(), ...headers } });
      jar.store(res);
      return res;
    },
    async post(url, form, headers = {}) {
      const res = await h.app.inject({
        method: 'POST',
        url,
        headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded', ...headers },
        payload: new URLSearchParams(form).toString(),
      });
      jar.store(res);
      return res;
    },
  };
}

export function authorizeUrl(params: Record<string, string>): string {
  return `/oauth/v2/authorize?${new URLSearchParams(params).toString()}`;
}

/**
 * Runs GET authorize → sign in → consent → Allow with form posts, returning the final redirect
 * (Location) the client receives.
 */
export async function approveViaForms(
  h: Harness,
  params: Record<string, string>,
  login: { email: string; password?: string },
  b: BrowserFlow = browser(h),
): Promise<URL> {
  const first = await b.get(authorizeUrl(params));
  if (first.statusCode !== 200) throw new Error(`authorize GET: ${first.statusCode} ${first.body}`);
  let consent = first;
  if (first.body.includes('name="password"')) {
    const signedIn = await b.post('/oauth/v2/authorize', { ...formFields(first.body), email: login.email, password: login.password ?? PASSWORD });
    if (signedIn.statusCode !== 303) throw new Error(`login: ${signedIn.statusCode} ${signedIn.body}`);
    consent = await b.get(signedIn.headers.location as string);
    if (consent.statusCode !== 200) return new URL(consent.headers.location as string);
  }
  const done = await b.post('/oauth/v2/authorize', { ...formFields(consent.body), action: 'approve' });
  if (done.statusCode !== 303) throw new Error(`approve: ${done.statusCode} ${done.body}`);
  return new URL(done.headers.location as string);
}

export function tokenRequest(h: Harness, form: Record<string, string>, headers: Record<string, string> = {}) {
  return h.app.inject({
    method: 'POST',
    url: '/oauth/v2/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(form).toString(),
  });
}

/**
 * An access token from the real authorization-code flow: authorize → sign in → consent → Allow,
 * then the PKCE exchange at the token endpoint with the client's secret.
 */
export async function tokenThroughPages(h: Harness, app: CreatedClient, email: string, scope: string): Promise<string> {
  const pkce = pkcePair();
  const location = await approveViaForms(
    h,
    { response_type: 'code', client_id: app.client_id, redirect_uri: REDIRECT, scope, code_challenge: pkce.challenge, code_challenge_method: 'S256' },
    { email },
  );
  const res = await tokenRequest(
    h,
    { grant_type: 'authorization_code', code: location.searchParams.get('code') ?? '', redirect_uri: REDIRECT, code_verifier: pkce.verifier },
    { authorization: basic(app.client_id, app.client_secret) },
  );
  if (res.statusCode !== 200) throw new Error(`token through the pages (${scope}): ${res.statusCode} ${res.body}`);
  return res.json().access_token as string;
}
