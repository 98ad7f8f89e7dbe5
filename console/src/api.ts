import createClient from 'openapi-fetch';
import type { paths } from '../../packages/client/src/generated/openapi.js';
import { accessToken, refresh } from './auth.js';

/**
 * The typed API client: voucherd's generated OpenAPI types (packages/client) over openapi-fetch,
 * so a request or answer that does not match the service's schema is a type error here. Every
 * request carries the in-memory access token; a 401 refreshes it once and retries.
 */
let language = 'en-US';
export function setApiLanguage(value: string): void {
  language = value;
}

async function send(input: Request): Promise<Response> {
  const base = input.clone();
  for (let attempt = 0; ; attempt += 1) {
    const request = base.clone();
    const token = accessToken();
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    request.headers.set('accept-language', language);
    const response = await fetch(request, { credentials: 'omit' });
    if (response.status !== 401 || attempt > 0 || !(await refresh())) return response;
  }
}

export const api = createClient<paths>({ baseUrl: location.origin, fetch: send });

export type Paths = paths;
