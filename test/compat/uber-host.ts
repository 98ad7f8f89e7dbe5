import type { Harness } from '../helpers/harness.js';

/**
 * voucherd on a real port, standing in for Uber's hosts: an integration under test keeps its
 * paths and swaps only `https://api.uber.com` / `https://login.uber.com` for this base URL.
 */
export async function listen(h: Harness): Promise<string> {
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  const address = h.app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

export interface WireResponse {
  status: number;
  headers: Headers;
  body: any;
}

/** One HTTP exchange over the network, the body parsed when it is JSON. */
export async function send(url: string, init: RequestInit): Promise<WireResponse> {
  const res = await fetch(url, init);
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, headers: res.headers, body: type.includes('json') && text ? JSON.parse(text) : text };
}

/** The form-encoded client_credentials request every integration found sends (credentials in the body). */
export async function formToken(base: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<WireResponse> {
  return send(`${base}/oauth/v2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
}
