import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
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

/**
 * A reply as both transports hand it back: status, headers (Set-Cookie as a list when repeated)
 * and the body as text. A LightMyRequestResponse is one.
 */
export interface Reply {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

/**
 * How a flow's requests reach voucherd: in process through app.inject (`injectTransport`) or over
 * real HTTP to a spawned server's base URL (`httpTransport`). Redirects are never followed; the
 * flow reads each Location itself.
 */
export interface Transport<R extends Reply = Reply> {
  send(method: 'GET' | 'POST', url: string, headers: Record<string, string>, body?: string): Promise<R>;
}

/** In process: `app` is the Harness's (or any built Fastify app of voucherd). */
export function injectTransport(h: { app: FastifyInstance }): Transport<LightMyRequestResponse> {
  return { send: (method, url, headers, body) => h.app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body }) }) };
}

/** The same requests over HTTP (fetch) to `baseUrl`; relative URLs are resolved against it. */
export function httpTransport(baseUrl: string): Transport {
  return {
    async send(method, url, headers, body) {
      const res = await fetch(new URL(url, baseUrl), { method, headers, redirect: 'manual', ...(body === undefined ? {} : { body }) });
      const replyHeaders: Reply['headers'] = Object.fromEntries(res.headers);
      const cookies = res.headers.getSetCookie();
      if (cookies.length > 0) replyHeaders['set-cookie'] = cookies;
      return { statusCode: res.status, headers: replyHeaders, body: await res.text() };
    },
  };
}

/** A Harness (or built app) means its app.inject; a Transport is used as given. */
export function transportOf<R extends Reply>(source: { app: FastifyInstance } | Transport<R>): Transport<R | LightMyRequestResponse> {
  return 'app' in source ? injectTransport(source) : source;
}

/** A tiny cookie jar: remembers Set-Cookie values, sends them back (carried by hand on both transports). */
export class CookieJar {
  readonly cookies = new Map<string, string>();
  store(res: Reply): void {
    const raw = res.headers['set-cookie'];
    for (const line of raw === undefined ? [] : Array.isArray(raw) ? raw : [String(raw)]) {
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

export interface BrowserFlow<R extends Reply = LightMyRequestResponse> {
  jar: CookieJar;
  get(url: string, headers?: Record<string, string>): Promise<R>;
  post(url: string, form: Record<string, string>, headers?: Record<string, string>): Promise<R>;
}

/** A scripted browser (cookies kept) over app.inject or any transport, for the form steps of the pages. */
export function browser(h: Harness): BrowserFlow;
export function browser<R extends Reply>(transport: Transport<R>): BrowserFlow<R>;
export function browser(source: Harness | Transport): BrowserFlow<Reply> {
  const transport = transportOf(source);
  const jar = new CookieJar();
  const send = async (method: 'GET' | 'POST', url: string, headers: Record<string, string>, body?: string) => {
    const res = await transport.send(method, url, { ...(jar.cookies.size > 0 ? { cookie: jar.header() } : {}), ...headers }, body);
    jar.store(res);
    return res;
  };
  return {
    jar,
    get: (url, headers = {}) => send('GET', url, headers),
    post: (url, form, headers = {}) => send('POST', url, { 'content-type': 'application/x-www-form-urlencoded', ...headers }, new URLSearchParams(form).toString()),
  };
}

export function authorizeUrl(params: Record<string, string>): string {
  return `/oauth/v2/authorize?${new URLSearchParams(params).toString()}`;
}

/**
 * Runs GET authorize → sign in → consent → Allow with form posts, returning the final redirect
 * (Location) the client receives. `source` is the Harness (app.inject) or a transport.
 */
export async function approveViaForms(
  source: Harness | Transport,
  params: Record<string, string>,
  login: { email: string; password?: string },
  b: BrowserFlow<Reply> = browser(transportOf(source)),
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

export function tokenRequest(h: Harness, form: Record<string, string>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return injectTransport(h).send('POST', '/oauth/v2/token', { 'content-type': 'application/x-www-form-urlencoded', ...headers }, new URLSearchParams(form).toString());
}

/**
 * An access token from the real authorization-code flow: authorize → sign in → consent → Allow,
 * then the PKCE exchange at the token endpoint with the client's secret. `source` is the Harness
 * (app.inject) or a transport (httpTransport for a spawned server). Fails loudly when any step
 * does not end in a code or the token endpoint does not answer 200 with a token.
 */
export async function tokenThroughPages(source: Harness | Transport, app: CreatedClient, email: string, scope: string): Promise<string> {
  const transport = transportOf(source);
  const pkce = pkcePair();
  const location = await approveViaForms(
    transport,
    { response_type: 'code', client_id: app.client_id, redirect_uri: REDIRECT, scope, code_challenge: pkce.challenge, code_challenge_method: 'S256' },
    { email },
  );
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`token through the pages (${scope}): the authorization server sent back no code: ${location.search}`);
  const res = await transport.send(
    'POST',
    '/oauth/v2/token',
    { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(app.client_id, app.client_secret) },
    new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: pkce.verifier }).toString(),
  );
  const token = res.statusCode === 200 ? (JSON.parse(res.body) as { access_token?: unknown }).access_token : undefined;
  if (typeof token !== 'string') throw new Error(`token through the pages (${scope}): ${res.statusCode} ${res.body}`);
  return token;
}
