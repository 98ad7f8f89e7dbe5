import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVoucherdClient, type VoucherdClient } from '../../../packages/client/src/index.js';
import { generationJobsWorker } from '../../../src/modules/codes/generation-job.js';
import { createHarness, DAY, T0, type Harness, type Tenant } from '../../helpers/harness.js';

/**
 * The SDK (packages/client) against the real server over real HTTP: app.listen on port 0, the
 * SDK's own token handling, Idempotency-Key, paging and retries. Only the SDK's sleep is replaced
 * (it records the wait and lets the background job finish meanwhile).
 */
let h: Harness;
let tenant: Tenant;
let baseUrl: string;
const seen: { method: string; path: string; idempotencyKey: string | null; status: number }[] = [];

/** Real fetch, recording each request the SDK sends and the status it got. */
const recordingFetch: typeof fetch = async (input, init) => {
  const request = new Request(input, init);
  const response = await fetch(request);
  seen.push({ method: request.method, path: new URL(request.url).pathname, idempotencyKey: request.headers.get('idempotency-key'), status: response.status });
  return response;
};

function client(extra: Partial<Parameters<typeof createVoucherdClient>[0]> = {}): VoucherdClient {
  return createVoucherdClient({ baseUrl, clientId: tenant.clientId, clientSecret: tenant.clientSecret, fetch: recordingFetch, ...extra });
}

beforeAll(async () => {
  h = await createHarness({ env: { MAX_CODES_PER_REQUEST: '5000', INLINE_GENERATION_LIMIT: '1000', GENERATION_CHUNK_SIZE: '700' } });
  tenant = await h.seedTenant();
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await h.close();
});

const programBody = {
  name: 'SDK rides',
  currency_code: 'USD',
  starts_at: T0,
  ends_at: T0 + 30 * DAY,
  code_scheme: 'MULTI_CODE_SINGLE_REDEEM' as const,
  number_of_codes: 5,
  value_per_trip_max_amount: 25,
};

describe('packages/client against a running voucherd', () => {
  it('gets one client-credentials token, caches it, and fetches a new one before it expires', async () => {
    let now = Date.now();
    const sdk = client({ now: () => now });
    const first = await Promise.all([sdk.tokens.get(), sdk.tokens.get(), sdk.tokens.get()]);
    expect(new Set(first).size).toBe(1);
    expect(sdk.tokens.requests).toBe(1);
    now += 60_000;
    expect(await sdk.tokens.get()).toBe(first[0]);
    expect(sdk.tokens.requests).toBe(1);
    // Within the refresh margin of the token's lifetime (ACCESS_TOKEN_TTL_SECONDS): a new token.
    now += h.ctx.config.accessTokenTtlSeconds * 1000 - 60_000;
    const second = await sdk.tokens.get();
    expect(second).not.toBe(first[0]);
    expect(sdk.tokens.requests).toBe(2);
  });

  it('creates a program with an Idempotency-Key; the same key replays the first answer', async () => {
    const sdk = client();
    const path = { organization_id: tenant.organizationId };
    seen.length = 0;
    const created = await sdk.api.POST('/v1/organizations/{organization_id}/voucher-programs', { params: { path }, body: programBody });
    expect(created.response.status).toBe(200);
    const post = seen.find((r) => r.method === 'POST' && r.path.endsWith('/voucher-programs'));
    expect(post?.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);

    const key = 'sdk-test-fixed-key';
    const once = await sdk.api.POST('/v1/organizations/{organization_id}/voucher-programs', { params: { path, header: { 'Idempotency-Key': key } }, body: programBody });
    const again = await sdk.api.POST('/v1/organizations/{organization_id}/voucher-programs', { params: { path, header: { 'Idempotency-Key': key } }, body: programBody });
    expect(again.data?.voucher_program_id).toBe(once.data?.voucher_program_id);
    expect(again.response.headers.get('idempotent-replayed')).toBe('true');
    expect(created.data?.voucher_program_id).not.toBe(once.data?.voucher_program_id);
  });

  it('generates codes, pages through every code with limit + page_token, and searches', async () => {
    const sdk = client();
    const path = { organization_id: tenant.organizationId };
    const { data: program } = await sdk.api.POST('/v1/organizations/{organization_id}/voucher-programs', { params: { path }, body: programBody });
    const programPath = { ...path, voucher_program_id: program!.voucher_program_id };
    const generated = await sdk.api.POST('/v1/organizations/{organization_id}/voucher-programs/{voucher_program_id}/codes/generate', {
      params: { path: programPath },
      body: { number_of_codes: 25 },
    });
    expect(generated.response.status).toBe(200);
    expect(generated.data).toMatchObject({ status: 'COMPLETED', number_of_codes: 25, total_number_of_codes: 30 });

    seen.length = 0;
    const codes = [];
    for await (const code of sdk.codes(tenant.organizationId, program!.voucher_program_id, { limit: 7 })) codes.push(code);
    expect(codes).toHaveLength(30);
    expect(new Set(codes.map((c) => c.code_text)).size).toBe(30);
    const rows = await h.ctx.database.db.selectFrom('voucher_codes').select('code_text').where('program_id', '=', program!.voucher_program_id).execute();
    expect(new Set(codes.map((c) => c.code_text))).toEqual(new Set(rows.map((r) => r.code_text)));
    expect(seen.filter((r) => r.path.endsWith('/codes'))).toHaveLength(5); // ceil(30 / 7) pages

    const search = await sdk.api.POST('/v1/organizations/{organization_id}/voucher-programs/search', { params: { path }, body: { program_status: 'ACTIVE', limit: 100 } });
    expect(search.response.status).toBe(200);
    expect(search.data?.voucher_programs.map((p) => p.voucher_program_id)).toContain(program!.voucher_program_id);
  });

  it('pages through guests', async () => {
    const sdk = client();
    const path = { organization_id: tenant.organizationId };
    const { data: program } = await sdk.api.POST('/v1/organizations/{organization_id}/voucher-programs', { params: { path }, body: { ...programBody, number_of_codes: 12 } });
    const programPath = { ...path, voucher_program_id: program!.voucher_program_id };
    const emails = Array.from({ length: 12 }, (_, i) => `guest${i}@example.com`);
    const added = await sdk.api.POST('/v1/organizations/{organization_id}/voucher-programs/{voucher_program_id}/add-guests', {
      params: { path: programPath },
      body: { guests: emails.map((email) => ({ email })), send_notifications: false },
    });
    expect(added.response.status).toBe(200);
    const guests = [];
    for await (const guest of sdk.guests(tenant.organizationId, program!.voucher_program_id, { limit: 5 })) guests.push(guest);
    expect(guests.map((g) => g.email).sort()).toEqual([...emails].sort());
    expect(guests.every((g) => g.code?.code_text !== undefined)).toBe(true);
  });

  it('retries a 409 from a running generation after Retry-After, with the same Idempotency-Key, and succeeds once', async () => {
    const waits: number[] = [];
    const sdk = client({
      sleep: async (ms) => {
        waits.push(ms);
        // While the SDK waits, the background generation finishes.
        await generationJobsWorker('sdk-test-worker', 500).run(h.ctx, new AbortController().signal);
      },
    });
    const path = { organization_id: tenant.organizationId };
    const { data: program } = await sdk.api.POST('/v1/organizations/{organization_id}/voucher-programs', { params: { path }, body: programBody });
    const programPath = { ...path, voucher_program_id: program!.voucher_program_id };
    const started = await sdk.api.POST('/v1/organizations/{organization_id}/voucher-programs/{voucher_program_id}/codes/generate', {
      params: { path: programPath },
      body: { number_of_codes: 2000 },
    });
    expect(started.response.status).toBe(202);
    expect(started.response.headers.get('location')).toContain(started.data!.generation_id);
    expect(waits).toEqual([]);

    seen.length = 0;
    const next = await sdk.api.POST('/v1/organizations/{organization_id}/voucher-programs/{voucher_program_id}/codes/generate', {
      params: { path: programPath },
      body: { number_of_codes: 10 },
    });
    expect(seen.map((r) => r.status)).toEqual([409, 200]);
    expect(waits).toEqual([2000]);
    expect(new Set(seen.map((r) => r.idempotencyKey)).size).toBe(1);
    expect(next.data).toMatchObject({ status: 'COMPLETED', number_of_codes: 10, total_number_of_codes: 2015 });
    const rows = await h.ctx.database.db.selectFrom('voucher_codes').select(h.ctx.database.db.fn.countAll().as('n')).where('program_id', '=', program!.voucher_program_id).executeTakeFirstOrThrow();
    expect(Number(rows.n)).toBe(2015);
  });

  it('gives up after the bounded number of retries and returns the last answer', async () => {
    const waits: number[] = [];
    const sdk = client({ retry: { maxRetries: 2 }, sleep: async (ms) => void waits.push(ms) });
    const path = { organization_id: tenant.organizationId };
    const { data: program } = await sdk.api.POST('/v1/organizations/{organization_id}/voucher-programs', { params: { path }, body: programBody });
    const programPath = { ...path, voucher_program_id: program!.voucher_program_id };
    await sdk.api.POST('/v1/organizations/{organization_id}/voucher-programs/{voucher_program_id}/codes/generate', { params: { path: programPath }, body: { number_of_codes: 2000 } });
    const refused = await sdk.api.POST('/v1/organizations/{organization_id}/voucher-programs/{voucher_program_id}/codes/generate', {
      params: { path: programPath },
      body: { number_of_codes: 10 },
    });
    expect(refused.response.status).toBe(409);
    expect(refused.error?.code).toBe('code_generation_in_progress');
    expect(waits).toEqual([2000, 2000]);
    await generationJobsWorker('sdk-test-worker', 500).run(h.ctx, new AbortController().signal);
  });
});
