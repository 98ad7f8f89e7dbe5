import type { ClientRow } from './client.repository.js';

export function registeredRedirectUris(client: ClientRow): string[] {
  try {
    const parsed: unknown = JSON.parse(client.redirect_uris);
    return Array.isArray(parsed) ? parsed.filter((u): u is string => typeof u === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * Exact string match against a registered URI (RFC 9700 §4.1.3, RFC 6749 §3.1.2.3): no
 * normalization, so a trailing slash, case, extra query, fragment or scheme change never matches.
 */
export function isRegisteredRedirectUri(client: ClientRow, uri: string): boolean {
  return registeredRedirectUris(client).some((registered) => registered === uri);
}

/** The redirect URI with response parameters added to its query (RFC 6749 §4.1.2; RFC 9207 `iss`). */
export function withParams(redirectUri: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.append(key, value);
  return url.toString();
}
