import type { LightMyRequestResponse } from 'fastify';
import { bearer, programBody, type Harness, type Tenant } from './harness.js';

/** POST /v1.2/me/vouchers/redeem with a rider token. */
export function redeem(h: Harness, token: string, codeText: string): Promise<LightMyRequestResponse> {
  return h.app.inject({ method: 'POST', url: '/v1.2/me/vouchers/redeem', headers: bearer(token), payload: { code_text: codeText } });
}

/** A MULTI_CODE_SINGLE_REDEEM program with `n` codes; returns its id and code texts. */
export async function multiCodeProgram(h: Harness, tenant: Tenant, n = 1, overrides: Record<string, unknown> = {}) {
  const programId = await h.createProgram(tenant, { number_of_codes: n, ...overrides });
  const rows = await h.ctx.database.db.selectFrom('voucher_codes').select(['id', 'code_text']).where('program_id', '=', programId).orderBy('id').execute();
  return { programId, codes: rows.map((r) => r.code_text), codeIds: rows.map((r) => r.id) };
}

/** A SINGLE_CODE_MULTI_REDEEM program whose one code may be claimed `k` times. */
export async function singleCodeProgram(h: Harness, tenant: Tenant, k: number, overrides: Record<string, unknown> = {}) {
  const body = programBody(h.clock.now(), { code_scheme: 'SINGLE_CODE_MULTI_REDEEM', redemptions_per_code: k, ...overrides });
  delete body.number_of_codes;
  const res = await h.app.inject({
    method: 'POST',
    url: `/v1/organizations/${tenant.organizationId}/voucher-programs`,
    headers: bearer(tenant.token),
    payload: body,
  });
  if (res.statusCode !== 200) throw new Error(`create program failed: ${res.statusCode} ${res.body}`);
  const { voucher_program_id: programId, code_text: codeText } = res.json() as { voucher_program_id: string; code_text: string };
  return { programId, codeText };
}

export async function claimRows(h: Harness, programId: string) {
  const db = h.ctx.database.db;
  const vouchers = await db.selectFrom('vouchers').selectAll().where('program_id', '=', programId).execute();
  const codes = await db.selectFrom('voucher_codes').select(['id', 'redemption_count']).where('program_id', '=', programId).execute();
  const program = await db.selectFrom('voucher_programs').select('usage_voucher_claim_count').where('id', '=', programId).executeTakeFirstOrThrow();
  // The claim count is the program column plus its counter shards (migration 0009).
  const shards = await db.selectFrom('program_claim_shards').select('claims').where('program_id', '=', programId).execute();
  const events = await db
    .selectFrom('outbox_events')
    .select(['payload'])
    .where('voucher_program_id', '=', programId)
    .where('event_type', '=', 'voucher_program_code_claimed')
    .execute();
  return {
    vouchers,
    redemptions: codes.reduce((sum, c) => sum + Number(c.redemption_count), 0),
    claimCount: Number(program.usage_voucher_claim_count) + shards.reduce((sum, s) => sum + Number(s.claims), 0),
    events: events.map((e) => JSON.parse(e.payload) as Record<string, unknown>),
  };
}

export function statuses(responses: LightMyRequestResponse[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of responses) {
    const key = r.statusCode === 200 ? '200' : `${r.statusCode} ${r.json().code}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}
