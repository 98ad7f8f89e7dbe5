import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, DAY, type Harness, type Tenant } from '../helpers/harness.js';
import { formToken, listen, send } from './uber-host.js';

/**
 * Source: a public Firebase Cloud Functions backend that gives meeting participants Uber Eats
 * vouchers (its `uber.service.ts`, on superagent), found by code search for `/codes/generate`.
 * What it sends, as facts: a form token request with client_id, client_secret, grant_type and
 * scope in the body; then, with `Authorization: Bearer` and `Content-Type: application/json` on
 * every call (GETs included, without a body): create program, get program, get codes, generate
 * `{number_of_codes}`, cancel `{}`. Beyond Uber's published list it sends
 * `value_per_period_max_amount` and `value_per_trip_deductible: 0`. It reads `access_token`, the
 * create answer, and `is_disabled, name, description, expense_memo, starts_at, ends_at, created_at,
 * value_per_trip_max_amount` of the program.
 */
let h: Harness;
let tenant: Tenant;
let base: string;
beforeAll(async () => {
  h = await createHarness();
  tenant = await h.seedTenant();
  base = await listen(h);
});
afterAll(async () => {
  await h.close();
});

const json = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

describe('compat: Firebase meeting-voucher backend (superagent)', () => {
  it('token, create with value_per_period_max_amount, get, codes, generate, cancel — end to end over HTTP', async () => {
    const token = await formToken(base, {
      client_id: tenant.clientId,
      client_secret: tenant.clientSecret,
      grant_type: 'client_credentials',
      scope: 'organizations.voucher_programs',
    });
    expect(token.status, JSON.stringify(token.body)).toBe(200);
    const accessToken: string = token.body.access_token;
    expect(typeof accessToken).toBe('string');

    const meeting = { name: 'Quarterly review', meetingId: 'm-42', participantAmount: 3, voucherCost: 25 };
    const now = h.clock.now();
    const orgUrl = `${base}/v1/organizations/${tenant.organizationId}/voucher-programs`;
    const created = await send(orgUrl, {
      method: 'POST',
      headers: json(accessToken),
      body: JSON.stringify({
        name: meeting.name,
        description: JSON.stringify(meeting),
        currency_code: 'USD',
        starts_at: now + 60_000,
        ends_at: now + DAY,
        code_scheme: 'MULTI_CODE_SINGLE_REDEEM',
        number_of_codes: meeting.participantAmount,
        redemptions_per_code: 1,
        value_per_period_max_trips: 1,
        value_per_period_max_amount: meeting.voucherCost,
        value_recurrence_period: 'SINGLE',
        value_per_trip_deductible: 0,
        value_per_trip_max_amount: meeting.voucherCost,
        voucher_type: 'EATS',
        expense_memo: `{meeting_id:${meeting.meetingId}}`,
      }),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const programId: string = created.body.voucher_program_id;
    expect(created.headers.get('voucherd-ignored-fields')).toBeNull();

    // GET with a JSON content type and no body, as superagent's `.type('json')` sends it.
    const program = await send(`${orgUrl}/${programId}`, { method: 'GET', headers: json(accessToken) });
    expect(program.status).toBe(200);
    expect(program.body).toMatchObject({
      is_disabled: false,
      name: meeting.name,
      description: JSON.stringify(meeting),
      expense_memo: '{meeting_id:m-42}',
      starts_at: now + 60_000,
      ends_at: now + DAY,
      created_at: now,
      value_per_trip_max_amount: 25,
      value_per_period_max_amount: 25,
      voucher_type: 'EATS',
    });
    const row = await h.ctx.database.db.selectFrom('voucher_programs').selectAll().where('id', '=', programId).executeTakeFirstOrThrow();
    expect(Number(row.value_per_period_max_amount)).toBe(2500);

    const codes = await send(`${orgUrl}/${programId}/codes`, { method: 'GET', headers: json(accessToken) });
    expect(codes.status).toBe(200);
    expect(codes.body.total_number_of_codes).toBe(3);
    expect(codes.body.codes).toHaveLength(3);

    const more = await send(`${orgUrl}/${programId}/codes/generate`, { method: 'POST', headers: json(accessToken), body: JSON.stringify({ number_of_codes: 2 }) });
    expect(more.status, JSON.stringify(more.body)).toBe(200);
    const after = await send(`${orgUrl}/${programId}/codes`, { method: 'GET', headers: json(accessToken) });
    expect(after.body.total_number_of_codes).toBe(5);

    const cancel = await send(`${orgUrl}/${programId}/cancel`, { method: 'POST', headers: json(accessToken), body: '{}' });
    expect(cancel.status).toBe(204);
    const canceled = await send(`${orgUrl}/${programId}`, { method: 'GET', headers: json(accessToken) });
    expect(canceled.body).toMatchObject({ is_disabled: true, status: 'CANCELED' });
  });

  it('with Prefer: handling=strict the same create is still accepted: every field it sends is known', async () => {
    const token = (await formToken(base, { client_id: tenant.clientId, client_secret: tenant.clientSecret, grant_type: 'client_credentials', scope: 'organizations.voucher_programs' })).body.access_token;
    const now = h.clock.now();
    const res = await send(`${base}/v1/organizations/${tenant.organizationId}/voucher-programs`, {
      method: 'POST',
      headers: { ...json(token), prefer: 'handling=strict' },
      body: JSON.stringify({
        name: 'Strict', currency_code: 'USD', starts_at: now, ends_at: now + DAY, code_scheme: 'MULTI_CODE_SINGLE_REDEEM', number_of_codes: 1,
        redemptions_per_code: 1, value_per_period_max_trips: 1, value_per_period_max_amount: 10, value_recurrence_period: 'SINGLE',
        value_per_trip_deductible: 0, value_per_trip_max_amount: 10, voucher_type: 'EATS', expense_memo: 'x',
      }),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers.get('preference-applied')).toBe('handling=strict');
  });
});
