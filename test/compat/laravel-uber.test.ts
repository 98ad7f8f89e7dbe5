import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRider, createRiderApp } from '../helpers/riders.js';
import { createHarness, DAY, type Harness, type Tenant } from '../helpers/harness.js';
import { formToken, listen, send } from './uber-host.js';

/**
 * Source: FLAIRUK/laravel-uber, a Laravel client library for Uber's APIs (src/Resources/Business/
 * Vouchers.php, src/Uber.php, src/OAuth/OAuth.php). What it sends, as facts: tokens by a form POST
 * with client_id and client_secret in the body, `Accept: application/json`; every call with
 * `Accept: application/json`, `Authorization: Bearer`, an `Accept-Language` locale such as
 * `fr_FR`; JSON bodies with null values dropped and `{}` for a POST without input; query
 * booleans as "true". Beyond Uber's published lists it sends `creator_email` (templates and
 * programs), a template `name`, search `program_status` in Title case ("Active"), and calls the
 * deprecated `individual_voucher_program/create`. It reads `voucher_program_id`, `code_text`,
 * `code_link` from creates and the resources' own fields.
 */
let h: Harness;
let tenant: Tenant;
let base: string;
let token: string;
beforeAll(async () => {
  h = await createHarness();
  tenant = await h.seedTenant();
  base = await listen(h);
  const res = await formToken(
    base,
    { client_id: tenant.clientId, client_secret: tenant.clientSecret, grant_type: 'client_credentials', scope: 'organizations.voucher_programs' },
    { accept: 'application/json' },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  token = res.body.access_token;
});
afterAll(async () => {
  await h.close();
});

const headers = () => ({ accept: 'application/json', authorization: `Bearer ${token}`, 'accept-language': 'fr_FR', 'content-type': 'application/json' });
const org = () => `${base}/v1/organizations/${tenant.organizationId}`;
const post = (path: string, body: unknown = {}) => send(`${org()}/${path}`, { method: 'POST', headers: headers(), body: JSON.stringify(body) });
const patch = (path: string, body: unknown) => send(`${org()}/${path}`, { method: 'PATCH', headers: headers(), body: JSON.stringify(body) });
const get = (path: string, query: Record<string, string> = {}) => {
  const qs = new URLSearchParams(query).toString();
  return send(`${org()}/${path}${qs ? `?${qs}` : ''}`, { method: 'GET', headers: { accept: 'application/json', authorization: `Bearer ${token}`, 'accept-language': 'fr_FR' } });
};

describe('compat: FLAIRUK/laravel-uber Vouchers resource', () => {
  it('templates with name and creator_email; create-from-template; the individual program', async () => {
    const template = await post('voucher-program-templates', {
      template_name: 'Client visits',
      name: 'Client visit ride',
      voucher_type: 'PERSONAL_TRANSPORT',
      creator_email: 'travel@example.com',
      currency_code: 'USD',
      value_per_trip_max_amount: 30,
    });
    expect(template.status, JSON.stringify(template.body)).toBe(200);
    const templateId: string = template.body.uuid;
    expect((await get('voucher-program-templates')).body.voucher_program_templates.map((t: { uuid: string }) => t.uuid)).toContain(templateId);
    expect((await get(`voucher-program-templates/${templateId}`)).body).toMatchObject({ name: 'Client visit ride', creator_email: 'travel@example.com' });
    expect((await patch(`voucher-program-templates/${templateId}`, { description: 'For sales' })).status).toBe(200);

    const now = h.clock.now();
    const fromTemplate = await post('voucher-programs/create-from-template', { template_id: templateId, starts_at: now, ends_at: now + 7 * DAY });
    expect(fromTemplate.status, JSON.stringify(fromTemplate.body)).toBe(200);
    expect(fromTemplate.body).toMatchObject({ voucher_program_id: expect.any(String), code_text: expect.any(String), code_link: expect.any(String) });

    const individual = await post('individual_voucher_program/create', {
      template_uuid: templateId,
      program_uuid: '7d3f4a52-0000-4000-8000-000000000001',
      owner_uuid: tenant.organizationId,
      owner_type: 'ORGANIZATION',
      email_address: 'guest@example.com',
      name: 'Client visit ride',
      description: 'One visitor',
      memo: 'visit-17',
      starts_at: now,
    });
    expect(individual.status, JSON.stringify(individual.body)).toBe(200);
    const individualId: string = individual.body.voucher_program_id;
    const found = await get(`voucher-programs/${individualId}`, { include_guests: 'true' });
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ name: 'Client visit ride', description: 'One visitor', expense_memo: 'visit-17', creator_email: 'travel@example.com' });
    expect(found.body.guests.map((g: { email?: string }) => g.email)).toEqual(['guest@example.com']);
  });

  it('programs: create with creator_email, find, update, search in Title case, cancel with {}', async () => {
    const now = h.clock.now();
    const created = await post('voucher-programs', {
      name: 'Offsite shuttle',
      currency_code: 'EUR',
      starts_at: now,
      ends_at: now + 3 * DAY,
      code_scheme: 'SINGLE_CODE_MULTI_REDEEM',
      redemptions_per_code: 40,
      value_per_trip_max_amount: 15,
      creator_email: 'events@example.com',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body).toMatchObject({ voucher_program_id: expect.any(String), code_text: expect.any(String), code_link: expect.stringContaining('/redeem/') });
    const id: string = created.body.voucher_program_id;
    expect((await get(`voucher-programs/${id}`)).body).toMatchObject({ creator_email: 'events@example.com', status: 'ACTIVE' });
    const updated = await patch(`voucher-programs/${id}`, { value_per_trip_max_amount: 20 });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body.value_per_trip_max_amount).toBe(20);

    const search = await post('voucher-programs/search', { program_status: 'Active', limit: 50, offset: 0 });
    expect(search.status, JSON.stringify(search.body)).toBe(200);
    const hit = search.body.voucher_programs.find((p: { voucher_program_id: string }) => p.voucher_program_id === id);
    expect(hit).toMatchObject({ status: 'ACTIVE', creator_email: 'events@example.com' });
    // No status: the library drops the null key and sends only paging.
    expect((await post('voucher-programs/search', { limit: 50, offset: 0 })).status).toBe(200);

    const cancel = await post(`voucher-programs/${id}/cancel`);
    expect(cancel.status).toBe(204);
    const canceled = await post('voucher-programs/search', { program_status: 'Canceled', limit: 50, offset: 0 });
    expect(canceled.body.voucher_programs.map((p: { voucher_program_id: string }) => p.voucher_program_id)).toContain(id);
  });

  it('guests, codes with usage, cancel and distribute codes, and a rider redeeming a code', async () => {
    const now = h.clock.now();
    const created = await post('voucher-programs', {
      name: 'Interview travel',
      currency_code: 'USD',
      starts_at: now,
      ends_at: now + 5 * DAY,
      code_scheme: 'MULTI_CODE_SINGLE_REDEEM',
      number_of_codes: 4,
      value_per_trip_max_amount: 40,
    });
    expect(created.status).toBe(200);
    const id: string = created.body.voucher_program_id;
    const guests = await post(`voucher-programs/${id}/add-guests`, { guests: [{ email: 'candidate@example.com' }, { phone: '+15555550123' }], send_notifications: true });
    expect(guests.status, JSON.stringify(guests.body)).toBe(200);
    expect((await get(`voucher-programs/${id}/guests`)).body.guests).toHaveLength(2);
    expect((await post(`voucher-programs/${id}/codes/generate`, { number_of_codes: 2 })).status).toBe(200);
    const codes = await get(`voucher-programs/${id}/codes`, { include_usage: 'true' });
    expect(codes.status).toBe(200);
    expect(codes.body.total_number_of_codes).toBe(6);
    expect(codes.body.codes[0]).toMatchObject({ code_id: expect.any(String), code_text: expect.any(String), usage_count: 0, usage_amount: 0, currency_code: 'USD' });
    const cancelCodes = await post(`voucher-programs/${id}/codes/cancel`, { codes: [codes.body.codes[5].code_id] });
    expect(cancelCodes.status).toBe(200);
    expect(cancelCodes.body).toEqual({ cancelCodeFailures: [] });
    expect((await post(`voucher-programs/${id}/codes/distribute`, {})).status).toBe(200);

    const riderApp = await createRiderApp(h.ctx);
    const rider = await createRider(h, riderApp);
    const redeem = await send(`${base}/v1.2/me/vouchers/redeem`, {
      method: 'POST',
      headers: { accept: 'application/json', authorization: `Bearer ${rider.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code_text: codes.body.codes[0].code_text }),
    });
    expect(redeem.status, JSON.stringify(redeem.body)).toBe(200);
    expect(redeem.body.voucher_id).toEqual(expect.any(String));
  });

  it('errors come back in the requested locale with Uber codes (fr_FR)', async () => {
    const res = await post('voucher-programs', { name: 'x', currency_code: 'XXX', starts_at: h.clock.now(), ends_at: h.clock.now() + DAY, code_scheme: 'SINGLE_CODE_MULTI_REDEEM', value_per_trip_max_amount: 1 });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_request');
    expect(res.headers.get('content-language')).toMatch(/^fr/);
  });
});
