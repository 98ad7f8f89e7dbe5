/**
 * Client-credentials tokens for the SDK: one token cached and shared by every call, fetched again
 * shortly before it expires (or when the server refused it), one request at a time however many
 * calls wait for it.
 */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  /** Space-separated scopes; default organizations.voucher_programs. */
  scope?: string;
}

export interface TokenSourceOptions extends ClientCredentials {
  /** Token endpoint, e.g. https://vouchers.example/oauth/v2/token. */
  tokenUrl: string;
  fetch: typeof globalThis.fetch;
  now: () => number;
  /** Refresh this long before expiry (default 60 s, at most half the token's lifetime). */
  refreshMarginMs?: number;
}

export class TokenError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`token request failed (${status} ${error}): ${description}`);
    this.name = 'TokenError';
  }
}

export class TokenSource {
  private cached: { token: string; refreshAt: number } | null = null;
  private inFlight: Promise<string> | null = null;
  /** Token requests made so far (observable by tests and callers). */
  requests = 0;

  constructor(private readonly options: TokenSourceOptions) {}

  /** A valid access token: the cached one, or a new one when it is about to expire. */
  async get(): Promise<string> {
    if (this.cached && this.options.now() < this.cached.refreshAt) return this.cached.token;
    this.inFlight ??= this.fetchToken().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** Forgets the cached token (the server refused it: revoked or expired early). */
  invalidate(token?: string): void {
    if (token === undefined || this.cached?.token === token) this.cached = null;
  }

  private async fetchToken(): Promise<string> {
    const { clientId, clientSecret, scope, tokenUrl } = this.options;
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64');
    this.requests += 1;
    const started = this.options.now();
    const res = await this.options.fetch(tokenUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: scope ?? 'organizations.voucher_programs' }).toString(),
    });
    const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
    if (!res.ok || typeof body.access_token !== 'string' || typeof body.expires_in !== 'number') {
      throw new TokenError(res.status, body.error ?? 'invalid_response', body.error_description ?? 'no access token in the answer');
    }
    const lifetimeMs = body.expires_in * 1000;
    const margin = Math.min(this.options.refreshMarginMs ?? 60_000, lifetimeMs / 2);
    this.cached = { token: body.access_token, refreshAt: started + lifetimeMs - margin };
    return body.access_token;
  }
}
