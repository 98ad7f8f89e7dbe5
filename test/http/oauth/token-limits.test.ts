import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/lib/secrets.js';
import { createClient } from '../../../src/modules/oauth/client.service.js';
import { bearer, createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { basic, tokenRequest } from '../../helpers/oauth-flow.js';

let h: Harness;
let tenant: Tenant;
beforeAll(async () => {
  h = await createHarness({ env: { TOKEN_RATE_LIMIT: '4', TOKEN_RATE_WINDOW_SECONDS: '3600', MAX_LIVE_TOKENS_PER_CLIENT: '2' } });
  tenant = await h.seedTenant();
});
afterAll(async () => {
  await h.close();
});

const mint = (id: string, secret: string) => tokenRequest(h, { grant_type: 'client_credentials' }, { authorization: basic(id, secret) });

describe('token endpoint limits (docs/compatibility.md; Uber: 100 client_credentials tokens per hour, live-token cap)', () => {
  it('per-client rate limit → 429 rate_limited with Retry-After; other clients unaffected; resets with the window', async () => {
    const c = await createClient(h.ctx, { kind: 'FIRST_PARTY', organizationId: tenant.organizationId });
    for (let i = 0; i < 4; i += 1) expect((await mint(c.client_id, c.client_secret)).statusCode).toBe(200);
    const before = await h.ctx.database.db.selectFrom('oauth_tokens').select('id').where('client_id', '=', c.client_id).execute();
    const limited = await mint(c.client_id, c.client_secret);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error).toBe('rate_limited');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(await h.ctx.database.db.selectFrom('oauth_tokens').select('id').where('client_id', '=', c.client_id).execute()).toHaveLength(before.length);
    const other = await createClient(h.ctx, { kind: 'FIRST_PARTY', organizationId: tenant.organizationId });
    expect((await mint(other.client_id, other.client_secret)).statusCode).toBe(200);
    h.clock.advance(retryAfter * 1000);
    expect((await mint(c.client_id, c.client_secret)).statusCode).toBe(200);
  });

  it('cap on live tokens per client: the oldest is invalidated when exceeded', async () => {
    const t = await h.seedTenant();
    const c = await createClient(h.ctx, { kind: 'FIRST_PARTY', organizationId: t.organizationId });
    const tokens: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await mint(c.client_id, c.client_secret);
      tokens.push(res.json().access_token);
      h.clock.advance(1);
    }
    const revoked = async (t: string) =>
      (await h.ctx.database.db.selectFrom('oauth_tokens').select('revoked_at').where('token_hash', '=', sha256Hex(t)).executeTakeFirstOrThrow()).revoked_at;
    expect(await revoked(tokens[0]!)).not.toBeNull();
    expect(await revoked(tokens[1]!)).toBeNull();
    expect(await revoked(tokens[2]!)).toBeNull();
    const program = await h.createProgram(t);
    const url = `/v1/organizations/${t.organizationId}/voucher-programs/${program}`;
    expect((await h.app.inject({ method: 'GET', url, headers: bearer(tokens[0]!) })).statusCode).toBe(401);
    expect((await h.app.inject({ method: 'GET', url, headers: bearer(tokens[2]!) })).statusCode).toBe(200);
  });

  it('multipart/form-data is accepted at the token endpoint; a file part or repeated field is refused', async () => {
    const c = await createClient(h.ctx, { kind: 'FIRST_PARTY', organizationId: tenant.organizationId });
    const multipart = async (parts: string[]) => {
      const boundary = '----voucherd-test-boundary';
      const body = `${parts.map((p) => `--${boundary}\r\n${p}`).join('')}--${boundary}--\r\n`;
      return h.app.inject({ method: 'POST', url: '/oauth/v2/token', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: body });
    };
    const field = (name: string, value: string) => `Content-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const ok = await multipart([field('grant_type', 'client_credentials'), field('client_id', c.client_id), field('client_secret', c.client_secret)]);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().token_type).toBe('Bearer');
    const twice = await multipart([field('grant_type', 'client_credentials'), field('grant_type', 'client_credentials'), field('client_id', c.client_id), field('client_secret', c.client_secret)]);
    expect(twice.statusCode).toBe(400);
    expect(twice.json().error).toBe('invalid_request');
    const file = await multipart([
      field('grant_type', 'client_credentials'),
      `Content-Disposition: form-data; name="client_secret"; filename="s.txt"\r\nContent-Type: text/plain\r\n\r\n${c.client_secret}\r\n`,
      field('client_id', c.client_id),
    ]);
    expect(file.statusCode).toBe(400);
    expect(file.json().error).toBe('invalid_request');
  });
});

describe('oauth cleanup worker', () => {
  it('deletes codes, sessions, refresh tokens and rate windows a day after they expire — and nothing live', async () => {
    const { cleanupOauth } = await import('../../../src/modules/oauth/cleanup.worker.js');
    const db = h.ctx.database.db;
    const now = h.clock.now();
    const t = await h.seedTenant();
    await db.insertInto('rate_limit_counters').values([{ bucket: 'old', window_start: now - 3 * 86_400_000, count: 1 }, { bucket: 'new', window_start: now, count: 1 }]).execute();
    await db.insertInto('oauth_sessions').values([
      { id: 's-old', token_hash: 'h-old', user_id: t.adminUserId, expires_at: now - 2 * 86_400_000, created_at: now - 3 * 86_400_000 },
      { id: 's-new', token_hash: 'h-new', user_id: t.adminUserId, expires_at: now + 1000, created_at: now },
    ]).execute();
    const counts = await cleanupOauth(h.ctx);
    expect(counts.sessions).toBe(1);
    expect(counts.rateLimitWindows).toBeGreaterThanOrEqual(1);
    expect((await db.selectFrom('oauth_sessions').select('id').where('id', 'in', ['s-old', 's-new']).execute()).map((r) => r.id)).toEqual(['s-new']);
    expect(await db.selectFrom('rate_limit_counters').select('bucket').where('bucket', 'in', ['old', 'new']).execute()).toEqual([{ bucket: 'new' }]);
  });
});
