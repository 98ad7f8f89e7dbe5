import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeAccessMatrix, type OrgRoute } from '../../helpers/access-matrix.js';
import { orgRouteKeys } from '../../helpers/routes.js';
import { bearer, createHarness, DAY, programBody, T0, type Harness, type Tenant } from '../../helpers/harness.js';
import { createClient } from '../../../src/modules/oauth/client.service.js';
import { authorizeOrganization } from '../../../src/modules/business/business.service.js';
import { fanOutEvents } from '../../../src/modules/webhooks/fanout.js';

const HOOKS = (org: string) => `/v1/organizations/${org}/webhook-endpoints`;
const PUBLIC_URL = 'https://93.184.215.14/hooks';

/** A webhook endpoint of the tenant's first-party client, registered through the organization API. */
async function createEndpoint(h: Harness, tenant: Tenant): Promise<string> {
  const res = await h.app.inject({ method: 'POST', url: HOOKS(tenant.organizationId), headers: bearer(tenant.token), payload: { url: PUBLIC_URL } });
  if (res.statusCode !== 201) throw new Error(`create endpoint failed: ${res.statusCode} ${res.body}`);
  return res.json().webhook_endpoint_id as string;
}

/** An endpoint with one delivery (a program created, the outbox fanned out): `{endpoint}/deliveries/{delivery}`. */
async function createDelivery(h: Harness, tenant: Tenant): Promise<string> {
  const endpointId = await createEndpoint(h, tenant);
  await h.createProgram(tenant);
  // Earlier routes leave their events undispatched: fan out the whole backlog, batch by batch.
  while ((await fanOutEvents(h.ctx)) > 0);
  const row = await h.ctx.database.db.selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', endpointId).executeTakeFirstOrThrow();
  return `${endpointId}/${row.id}`;
}

/** An aggregator the tenant's admin authorized; its client id. */
async function createAuthorizedApp(h: Harness, tenant: Tenant): Promise<string> {
  const app = await createClient(h.ctx, { kind: 'THIRD_PARTY', name: 'Matrix aggregator', scopes: ['organizations.voucher_programs.aggregator'] });
  await authorizeOrganization(h.ctx, tenant.organizationId, app.client_id, tenant.adminUserId);
  return app.client_id;
}

const PROGRAM = (org: string, program: string) => `/v1/organizations/${org}/voucher-programs/${program}`;

/** A template of the tenant, created through the API. */
async function createTemplate(h: Harness, tenant: Tenant): Promise<string> {
  const res = await h.app.inject({
    method: 'POST',
    url: `/v1/organizations/${tenant.organizationId}/voucher-program-templates`,
    headers: bearer(tenant.token),
    payload: { template_name: 'Matrix template', currency_code: 'USD', value_per_trip_max_amount: 15 },
  });
  if (res.statusCode !== 200) throw new Error(`create template failed: ${res.statusCode} ${res.body}`);
  return res.json().uuid as string;
}

/**
 * A program of the tenant with one finished generation; the id is `<program>/<generation>` so the
 * URL names both (B6 then uses the other tenant's pair).
 */
async function createGeneration(h: Harness, tenant: Tenant): Promise<string> {
  const program = await h.createProgram(tenant);
  const res = await h.app.inject({
    method: 'POST',
    url: `${PROGRAM(tenant.organizationId, program)}/codes/generate`,
    headers: bearer(tenant.token),
    payload: { number_of_codes: 2 },
  });
  if (res.statusCode !== 200) throw new Error(`generate failed: ${res.statusCode} ${res.body}`);
  return `${program}/${res.json().generation_id as string}`;
}

/** Every org-scoped route of the service goes through the shared matrix (docs/guarantees.md). */
const ROUTES: OrgRoute[] = [
  {
    name: 'POST voucher-programs (create)',
    method: 'POST',
    pattern: '/v1/organizations/:organization_id/voucher-programs',
    url: (org) => `/v1/organizations/${org}/voucher-programs`,
    payload: () => programBody(T0),
    okStatus: 200,
    programScoped: false,
  },
  {
    name: 'GET voucher-programs/{id}',
    method: 'GET',
    pattern: '/v1/organizations/:organization_id/voucher-programs/:voucher_program_id',
    url: (org, program) => `/v1/organizations/${org}/voucher-programs/${program}`,
    okStatus: 200,
    programScoped: true,
  },
  {
    name: 'POST codes/generate',
    method: 'POST',
    pattern: '/v1/organizations/:organization_id/voucher-programs/:voucher_program_id/codes/generate',
    url: (org, program) => `/v1/organizations/${org}/voucher-programs/${program}/codes/generate`,
    payload: () => ({ number_of_codes: 3 }),
    okStatus: 200,
    programScoped: true,
  },
  {
    name: 'GET voucher-programs/{id}/activity',
    method: 'GET',
    pattern: '/v1/organizations/:organization_id/voucher-programs/:voucher_program_id/activity',
    url: (org, program) => `${PROGRAM(org, program)}/activity?bucket=day`,
    okStatus: 200,
    programScoped: true,
  },
  {
    name: 'GET codes',
    method: 'GET',
    pattern: '/v1/organizations/:organization_id/voucher-programs/:voucher_program_id/codes',
    url: (org, program) => `/v1/organizations/${org}/voucher-programs/${program}/codes`,
    okStatus: 200,
    programScoped: true,
  },
  {
    name: 'POST codes/export-links',
    method: 'POST',
    pattern: '/v1/organizations/:organization_id/voucher-programs/:voucher_program_id/codes/export-links',
    url: (org, program) => `${PROGRAM(org, program)}/codes/export-links`,
    okStatus: 201,
    programScoped: true,
  },
  {
    name: 'PATCH voucher-programs/{id}',
    method: 'PATCH',
    pattern: '/v1/organizations/:organization_id/voucher-programs/:voucher_program_id',
    url: (org, program) => PROGRAM(org, program),
    payload: () => ({ name: 'Renamed' }),
    okStatus: 200,
    programScoped: true,
  },
  {
    name: 'POST voucher-programs/{id}/cancel',
    method: 'POST',
    pattern: '/v1/organizations/:organization_id/voucher-programs/:voucher_program_id/cancel',
    url: (org, program) => `${PROGRAM(org, program)}/cancel`,
    okStatus: 204,
    programScoped: true,
  },
  {
    name: 'POST voucher-programs/search',
    method: 'POST',
    pattern: '/v1/organizations/:organization_id/voucher-programs/search',
    url: (org) => `/v1/organizations/${org}/voucher-programs/search`,
    payload: () => ({ limit: 10 }),
    okStatus: 200,
    programScoped: false,
  },
  {
    name: 'POST codes/cancel',
    method: 'POST',
    pattern: '/v1/organizations/:organization_id/voucher-programs/:voucher_program_id/codes/cancel',
    url: (org, program) => `${PROGRAM(org, program)}/codes/cancel`,
    payload: () => ({ codes: ['01900000-0000-7000-8000-00000000abcd'] }),
    legitFields: ['codes'],
    okStatus: 200,
    programScoped: true,
  },
  {
    name: 'POST add-guests',
    method: 'POST',
    pattern: '/v1/organizations/:organization_id/voucher-programs/:voucher_program_id/add-guests',
    url: (org, program) => `${PROGRAM(org, program)}/add-guests`,
    payload: () => ({ guests: [{ email: 'guest@example.com' }], send_notifications: false }),
    okStatus: 200,
    programScoped: true,
  },
  {
    name: 'GET guests',
    method: 'GET',
    pattern: '/v1/organizations/:organization_id/voucher-programs/:voucher_program_id/guests',
    url: (org, program) => `${PROGRAM(org, program)}/guests`,
    okStatus: 200,
    programScoped: true,
  },
  {
    name: 'POST codes/distribute',
    method: 'POST',
    pattern: '/v1/organizations/:organization_id/voucher-programs/:voucher_program_id/codes/distribute',
    url: (org, program) => `${PROGRAM(org, program)}/codes/distribute`,
    payload: () => ({}),
    legitFields: ['codes'],
    okStatus: 200,
    programScoped: true,
  },
  {
    name: 'POST voucher-program-templates (create)',
    method: 'POST',
    pattern: '/v1/organizations/:organization_id/voucher-program-templates',
    url: (org) => `/v1/organizations/${org}/voucher-program-templates`,
    payload: () => ({ template_name: 'Weekend', currency_code: 'USD', value_per_trip_max_amount: 20 }),
    okStatus: 200,
    programScoped: false,
  },
  {
    name: 'GET voucher-program-templates',
    method: 'GET',
    pattern: '/v1/organizations/:organization_id/voucher-program-templates',
    url: (org) => `/v1/organizations/${org}/voucher-program-templates`,
    okStatus: 200,
    programScoped: false,
  },
  {
    name: 'GET voucher-program-templates/{id}',
    method: 'GET',
    pattern: '/v1/organizations/:organization_id/voucher-program-templates/:template_id',
    url: (org, template) => `/v1/organizations/${org}/voucher-program-templates/${template}`,
    resource: createTemplate,
    okStatus: 200,
    programScoped: true,
  },
  {
    name: 'PATCH voucher-program-templates/{id}',
    method: 'PATCH',
    pattern: '/v1/organizations/:organization_id/voucher-program-templates/:template_id',
    url: (org, template) => `/v1/organizations/${org}/voucher-program-templates/${template}`,
    resource: createTemplate,
    payload: () => ({ campaign_name: 'Renamed campaign' }),
    okStatus: 200,
    programScoped: true,
  },
  {
    name: 'POST voucher-programs/create-from-template',
    method: 'POST',
    pattern: '/v1/organizations/:organization_id/voucher-programs/create-from-template',
    url: (org) => `/v1/organizations/${org}/voucher-programs/create-from-template`,
    resource: createTemplate,
    payload: (template) => ({ template_id: template, starts_at: T0, ends_at: T0 + 7 * DAY }),
    okStatus: 200,
    programScoped: false,
  },
  {
    name: 'POST individual_voucher_program/create',
    method: 'POST',
    pattern: '/v1/organizations/:organization_id/individual_voucher_program/create',
    url: (org) => `/v1/organizations/${org}/individual_voucher_program/create`,
    resource: createTemplate,
    payload: (template) => ({ template_uuid: template, name: 'Matrix template', email_address: 'rider@example.com', starts_at: T0 }),
    okStatus: 200,
    programScoped: false,
  },
  {
    name: 'GET codes/generations/{id}',
    method: 'GET',
    pattern: '/v1/organizations/:organization_id/voucher-programs/:voucher_program_id/codes/generations/:generation_id',
    url: (org, pair) => {
      const [program, generation = pair] = pair.split('/');
      return `${PROGRAM(org, program!)}/codes/generations/${generation}`;
    },
    resource: createGeneration,
    okStatus: 200,
    programScoped: true,
  },
  {
    name: 'GET webhook-endpoints (organization)',
    method: 'GET',
    pattern: '/v1/organizations/:organization_id/webhook-endpoints',
    url: (org) => HOOKS(org),
    okStatus: 200,
    programScoped: false,
    aggregatorRefused: true,
  },
  {
    name: 'POST webhook-endpoints (organization)',
    method: 'POST',
    pattern: '/v1/organizations/:organization_id/webhook-endpoints',
    url: (org) => HOOKS(org),
    payload: () => ({ url: PUBLIC_URL }),
    okStatus: 201,
    programScoped: false,
    aggregatorRefused: true,
  },
  {
    name: 'DELETE webhook-endpoints/{id} (organization)',
    method: 'DELETE',
    pattern: '/v1/organizations/:organization_id/webhook-endpoints/:webhook_endpoint_id',
    url: (org, endpoint) => `${HOOKS(org)}/${endpoint}`,
    resource: createEndpoint,
    okStatus: 204,
    programScoped: true,
    aggregatorRefused: true,
  },
  {
    name: 'POST webhook-endpoints/{id}/rotate-key (organization)',
    method: 'POST',
    pattern: '/v1/organizations/:organization_id/webhook-endpoints/:webhook_endpoint_id/rotate-key',
    url: (org, endpoint) => `${HOOKS(org)}/${endpoint}/rotate-key`,
    payload: () => ({}),
    resource: createEndpoint,
    okStatus: 200,
    programScoped: true,
    aggregatorRefused: true,
  },
  {
    name: 'GET webhook-endpoints/{id}/deliveries (organization)',
    method: 'GET',
    pattern: '/v1/organizations/:organization_id/webhook-endpoints/:webhook_endpoint_id/deliveries',
    url: (org, endpoint) => `${HOOKS(org)}/${endpoint}/deliveries`,
    resource: createEndpoint,
    okStatus: 200,
    programScoped: true,
    aggregatorRefused: true,
  },
  {
    // Its cross-organization 404 is tested in test/http/developers/org-webhooks.test.ts (the URL holds two ids).
    name: 'POST webhook-endpoints/{id}/deliveries/{id}/resend (organization)',
    method: 'POST',
    pattern: '/v1/organizations/:organization_id/webhook-endpoints/:webhook_endpoint_id/deliveries/:delivery_id/resend',
    url: (org, pair) => {
      const [endpoint, delivery = pair] = pair.split('/');
      return `${HOOKS(org)}/${endpoint}/deliveries/${delivery}/resend`;
    },
    resource: createDelivery,
    okStatus: 202,
    programScoped: false,
    aggregatorRefused: true,
  },
  {
    name: 'GET authorized-apps',
    method: 'GET',
    pattern: '/v1/organizations/:organization_id/authorized-apps',
    url: (org) => `/v1/organizations/${org}/authorized-apps`,
    okStatus: 200,
    programScoped: false,
    aggregatorRefused: true,
  },
  {
    name: 'POST authorized-apps/{client_id}/revoke',
    method: 'POST',
    pattern: '/v1/organizations/:organization_id/authorized-apps/:client_id/revoke',
    url: (org, client) => `/v1/organizations/${org}/authorized-apps/${client}/revoke`,
    resource: createAuthorizedApp,
    okStatus: 200,
    programScoped: true,
    aggregatorRefused: true,
  },
];

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

describe('the matrix covers the route table', () => {
  const keyOf = (r: OrgRoute) => `${r.method} ${r.pattern}`;

  it('every org-scoped route the app registers has a matrix entry, and every entry is a registered route', () => {
    const registered = orgRouteKeys(h.app);
    const listed = ROUTES.map(keyOf).sort();
    expect(registered.length).toBeGreaterThan(0);
    expect({ missing: registered.filter((k) => !listed.includes(k)), unknown: listed.filter((k) => !registered.includes(k)) }).toEqual({ missing: [], unknown: [] });
    expect(new Set(listed).size, 'one entry per route').toBe(listed.length);
  });

  it("each entry's URL is an instance of its pattern", () => {
    for (const route of ROUTES) {
      const path = route.url('01900000-0000-7000-8000-0000000000aa', '01900000-0000-7000-8000-0000000000bb').split('?')[0]!;
      const shape = new RegExp(`^${route.pattern.replace(/:\w+/g, '[^/]+')}$`);
      expect(path, route.name).toMatch(shape);
    }
  });
});

for (const route of ROUTES) describeAccessMatrix(() => h, route);
