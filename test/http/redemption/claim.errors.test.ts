import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedClient } from '../../../src/modules/oauth/client.service.js';
import { buildApp } from '../../../src/app.js';
import { createContext } from '../../../src/context.js';
import { openDatabase } from '../../../src/db/database.js';
import { CODE_ALPHABET } from '../../../src/lib/codes.js';
import { issueAccessToken } from '../../../src/modules/oauth/token.service.js';
import { claimRows, multiCodeProgram, redeem, singleCodeProgram } from '../../helpers/claims.js';
import { bearer, createHarness, DAY, type Harness, type Tenant } from '../../helpers/harness.js';
import { createRider, createRiderApp, type Rider } from '../../helpers/riders.js';

/**
 * Records every statement the app executes (Kysely's query log on a second connection to the same
 * test database): proves what ran, on the real engine, however the query was built or cached.
 */
class QueryLog {
  readonly queries: string[] = [];
  readonly record = (sql: string) => {
    this.queries.push(sql);
  };
}

const MINUTE = 60_000;
let h: Harness;
let tenant: Tenant;
let riderApp: CreatedClient;
let rider: Rider;

beforeAll(async () => {
  h = await createHarness({ env: { CLAIM_FAILURES_PER_CLIENT: '100000', CLAIM_FAILURES_PER_RIDER: '100000', CLAIM_FAILURES_PER_PROGRAM: '100000' } });
  tenant = await h.seedTenant();
  riderApp = await createRiderApp(h.ctx);
  rider = await createRider(h, riderApp);
});
afterAll(async () => h.close());

/** A different, valid code: first symbol changed and the check symbol recomputed by search. */
function unknownCode(code: string): string {
  for (const a of CODE_ALPHABET) {
    for (const c of CODE_ALPHABET) {
      const candidate = a + code.slice(1, 12) + c;
      if (candidate !== code && isValid(candidate)) return candidate;
    }
  }
  throw new Error('unreachable');
}
function isValid(code: string): boolean {
  let sum = 0;
  for (let i = 0; i < code.length; i++) sum += (i + 1) * CODE_ALPHABET.indexOf(code[i]!);
  return sum % 31 === 0;
}

describe('POST /v1.2/me/vouchers/redeem — success and rows', () => {
  it('200 {voucher_id}; voucher row, counters and outbox event committed together', async () => {
    const { programId, codes, codeIds } = await multiCodeProgram(h, tenant, 2);
    const res = await redeem(h, rider.token, codes[0]!);
    expect(res.statusCode, res.body).toBe(200);
    expect(Object.keys(res.json())).toEqual(['voucher_id']);
    const rows = await claimRows(h, programId);
    expect(rows.vouchers).toHaveLength(1);
    expect(rows.vouchers[0]).toMatchObject({ id: res.json().voucher_id, code_id: codeIds[0], user_id: rider.userId, client_id: riderApp.client_id });
    expect(rows.redemptions).toBe(1);
    expect(rows.claimCount).toBe(1);
    expect(rows.events).toEqual([{ voucher_id: res.json().voucher_id, code_id: codeIds[0], redemption_count: 1, usage_voucher_claim_count: 1 }]);
    const listed = await h.app.inject({ url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}`, headers: bearer(tenant.token) });
    expect(listed.json().usage_voucher_claim_count).toBe(1);
  });

  it('normalizes input: lowercase, spaces and dashes name the same code', async () => {
    const { programId, codes } = await multiCodeProgram(h, tenant, 1);
    const code = codes[0]!;
    const messy = ` ${code.slice(0, 4).toLowerCase()}-${code.slice(4, 8)} ${code.slice(8).toLowerCase()} `;
    const other = await createRider(h, riderApp);
    const res = await redeem(h, other.token, messy);
    expect(res.statusCode, res.body).toBe(200);
    expect((await claimRows(h, programId)).vouchers).toHaveLength(1);
  });
});

describe('C7/§5.1: malformed codes are refused without a database query', () => {
  it('every single substitution and adjacent swap → 404, and only the token lookup ran', async () => {
    const { codes } = await multiCodeProgram(h, tenant, 1);
    const code = codes[0]!;
    const log = new QueryLog();
    const logged = openDatabase(h.testDb.url, { onQuery: log.record });
    const ctx = createContext(h.ctx.config, logged, { clock: h.clock });
    const app = await buildApp(ctx);
    try {
      const variants = new Set<string>();
      for (let i = 0; i < code.length; i++) {
        for (const s of CODE_ALPHABET) if (s !== code[i]) variants.add(code.slice(0, i) + s + code.slice(i + 1));
        if (i + 1 < code.length && code[i] !== code[i + 1]) variants.add(code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2));
      }
      // Impossible lengths (codes of any program have 9 to 30 symbols) and foreign symbols. A code
      // one symbol shorter or longer may carry a valid check symbol by chance (codes have no fixed
      // length since code_format), so those are left to the database.
      variants.add(code.slice(0, 8));
      variants.add(code.repeat(3));
      variants.add(`${code.slice(0, 12)}0`);
      for (const variant of variants) {
        log.queries.length = 0;
        const res = await app.inject({ method: 'POST', url: '/v1.2/me/vouchers/redeem', headers: bearer(rider.token), payload: { code_text: variant } });
        expect(res.statusCode, variant).toBe(404);
        expect(res.json().code).toBe('resource_not_found');
        expect(log.queries, variant).toHaveLength(1);
        expect(log.queries[0]).toContain('oauth_tokens');
      }
      // The counter sees lookups when they happen: a well-formed unknown code does query the codes.
      log.queries.length = 0;
      const res = await app.inject({ method: 'POST', url: '/v1.2/me/vouchers/redeem', headers: bearer(rider.token), payload: { code_text: unknownCode(code) } });
      expect(res.statusCode).toBe(404);
      expect(log.queries.some((q) => q.includes('voucher_codes'))).toBe(true);
    } finally {
      await app.close();
      await logged.close();
    }
  });
});

describe('D3: the documented errors (docs/redemption.md)', () => {
  it('unknown code, canceled code, canceled program, another org (org-bound rider app) → identical 404', async () => {
    const { programId, codes, codeIds } = await multiCodeProgram(h, tenant, 3);
    const db = h.ctx.database.db;
    await db.updateTable('voucher_codes').set({ canceled_at: h.clock.now() }).where('id', '=', codeIds[0]!).execute();
    const canceledProgram = await multiCodeProgram(h, tenant, 1);
    await db.updateTable('voucher_programs').set({ canceled_at: h.clock.now() }).where('id', '=', canceledProgram.programId).execute();
    const otherTenant = await h.seedTenant();
    const boundApp = await createRiderApp(h.ctx, otherTenant.organizationId);
    const boundRider = await createRider(h, boundApp);

    const answers = [
      await redeem(h, rider.token, unknownCode(codes[1]!)),
      await redeem(h, rider.token, codes[0]!),
      await redeem(h, rider.token, canceledProgram.codes[0]!),
      await redeem(h, boundRider.token, codes[1]!),
    ];
    for (const res of answers) {
      expect(res.statusCode).toBe(404);
      const { request_id: _id, ...body } = res.json();
      expect(body).toEqual({ code: 'resource_not_found', message: 'Voucher code is not found.' });
      expect(res.headers['retry-after']).toBeUndefined();
    }
    expect((await claimRows(h, programId)).vouchers).toHaveLength(0);
    expect((await claimRows(h, canceledProgram.programId)).vouchers).toHaveLength(0);
    // The org-bound rider app claims its own organization's codes.
    const own = await multiCodeProgram(h, otherTenant, 1);
    expect((await redeem(h, boundRider.token, own.codes[0]!)).statusCode).toBe(200);
  });

  it('upcoming and complete programs → 400 voucher_program_inactive; nothing written', async () => {
    const upcoming = await multiCodeProgram(h, tenant, 1, { starts_at: h.clock.now() + DAY, ends_at: h.clock.now() + 10 * DAY });
    const complete = await multiCodeProgram(h, tenant, 1, { starts_at: h.clock.now(), ends_at: h.clock.now() + 30 * MINUTE });
    // Past ends_at, still within the rider token's lifetime.
    h.clock.advance(30 * MINUTE);
    try {
      for (const { programId, codes } of [complete]) {
        const res = await redeem(h, rider.token, codes[0]!);
        expect(res.statusCode).toBe(400);
        expect(res.json().code).toBe('voucher_program_inactive');
        expect((await claimRows(h, programId)).redemptions).toBe(0);
      }
    } finally {
      h.clock.advance(-30 * MINUTE);
    }
    const res = await redeem(h, rider.token, upcoming.codes[0]!);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('voucher_program_inactive');
    expect(await claimRows(h, upcoming.programId)).toMatchObject({ redemptions: 0, claimCount: 0, events: [] });
  });

  it('single-redeem code claimed → 409 code_already_redeemed; multi-redeem used up → 400 redeem_count_exceeded', async () => {
    const single = await multiCodeProgram(h, tenant, 1);
    const a = await createRider(h, riderApp);
    const b = await createRider(h, riderApp);
    expect((await redeem(h, a.token, single.codes[0]!)).statusCode).toBe(200);
    const taken = await redeem(h, b.token, single.codes[0]!);
    expect(taken.statusCode).toBe(409);
    expect(taken.json().code).toBe('code_already_redeemed');
    const multi = await singleCodeProgram(h, tenant, 1 + 1);
    expect((await redeem(h, a.token, multi.codeText)).statusCode).toBe(200);
    expect((await redeem(h, b.token, multi.codeText)).statusCode).toBe(200);
    const full = await redeem(h, rider.token, multi.codeText);
    expect(full.statusCode).toBe(400);
    expect(full.json().code).toBe('redeem_count_exceeded');
    expect((await claimRows(h, multi.programId)).redemptions).toBe(2);
  });
});

describe('rider access (docs/oauth.md steps 1–2, §7)', () => {
  it('no token → 401; bad token → 401 invalid_token; org token or wrong grant → 403 unauthorized; nothing written', async () => {
    const { programId, codes } = await multiCodeProgram(h, tenant, 1);
    const none = await h.app.inject({ method: 'POST', url: '/v1.2/me/vouchers/redeem', payload: { code_text: codes[0] } });
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe('unauthorized');
    const bad = await redeem(h, 'not-a-real-token-at-all', codes[0]!);
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['www-authenticate']).toContain('error="invalid_token"');
    const org = await redeem(h, tenant.token, codes[0]!);
    expect(org.statusCode).toBe(403);
    expect(org.json().code).toBe('unauthorized');
    expect(org.headers['www-authenticate']).toContain('error="insufficient_scope"');
    // vouchers.redeem without a user (client_credentials) is not a rider.
    const cc = await issueAccessToken(h.ctx, { clientId: riderApp.client_id, grantType: 'client_credentials', scopes: ['vouchers.redeem'] });
    expect((await redeem(h, cc.access_token, codes[0]!)).statusCode).toBe(403);
    expect((await claimRows(h, programId)).redemptions).toBe(0);
  });

  it('malformed bodies → 400 invalid_request (after access checks)', async () => {
    for (const payload of [{}, { code_text: 5 }, { code_text: '' }, { code_text: 'X'.repeat(65) }]) {
      const res = await h.app.inject({ method: 'POST', url: '/v1.2/me/vouchers/redeem', headers: bearer(rider.token), payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().code).toBe('invalid_request');
    }
    // An unknown field: refused with Prefer: handling=strict; otherwise ignored (the code decides).
    for (const payload of [{ code_text: 'ABC', extra: 1 }]) {
      const res = await h.app.inject({ method: 'POST', url: '/v1.2/me/vouchers/redeem', headers: { ...bearer(rider.token), prefer: 'handling=strict' }, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().code).toBe('invalid_request');
    }
    const unauth = await h.app.inject({ method: 'POST', url: '/v1.2/me/vouchers/redeem', payload: { extra: 1 } });
    expect(unauth.statusCode).toBe(401);
  });

  it('messages are localized, codes are not', async () => {
    const { codes } = await multiCodeProgram(h, tenant, 1);
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1.2/me/vouchers/redeem',
      headers: { ...bearer(rider.token), 'accept-language': 'fr_FR' },
      payload: { code_text: unknownCode(codes[0]!) },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'resource_not_found', message: 'Code de bon introuvable.' });
  });
});
