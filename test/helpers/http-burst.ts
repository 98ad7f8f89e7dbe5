import { Agent, request } from 'undici';
import type { Harness } from './harness.js';
import { formFields, type CodeClient } from './oauth-flow.js';
import type { CreatedClient } from '../../src/modules/oauth/client.service.js';

/**
 * Real HTTP for bursts: the harness app listening on a loopback port, and requests sent over as
 * many sockets as there are requests in flight (no pipelining), so a burst of N really is N
 * concurrent requests at the server.
 */
export interface RealHttp {
  base: string;
  send(method: string, path: string, options?: { headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>;
  close(): Promise<void>;
}

export async function listenReal(h: Harness): Promise<RealHttp> {
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  const address = h.app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const agent = new Agent({ connections: 512, pipelining: 0 });
  return {
    base,
    async send(method, path, options = {}) {
      const res = await request(`${base}${path}`, {
        method: method as 'GET',
        headers: options.headers ?? {},
        ...(options.body !== undefined ? { body: options.body } : {}),
        dispatcher: agent,
      });
      return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
    },
    close: () => agent.close(),
  };
}

/** Fires `n` requests at once and waits for all of them. */
export function burst<T>(n: number, one: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => one(i)));
}

export function countStatuses(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
}

export interface LoginForm {
  /** Posts one sign-in of the form; `headers` adds e.g. X-Forwarded-For. */
  post(email: string, password: string, headers?: Record<string, string>): Promise<number>;
}

/** The authorize page's sign-in form fetched over real HTTP (CSRF cookie and hidden fields kept). */
export async function loginForm(http: RealHttp, client: CreatedClient | CodeClient, redirectUri: string): Promise<LoginForm> {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: redirectUri,
    scope: 'vouchers.redeem',
    state: 'burst',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  });
  const page = await http.send('GET', `/oauth/v2/authorize?${params.toString()}`);
  if (page.status !== 200) throw new Error(`authorize page: ${page.status} ${page.body}`);
  const setCookie = page.headers['set-cookie'];
  const cookie = (Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []).map((c) => c.split(';')[0]).join('; ');
  const fields = formFields(page.body);
  return {
    async post(email, password, headers = {}) {
      const res = await http.send('POST', '/oauth/v2/authorize', {
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ ...fields, email, password }).toString(),
      });
      return res.status;
    },
  };
}
