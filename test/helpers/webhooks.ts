import type { Harness, Tenant } from './harness.js';
import { bearer } from './harness.js';

export interface RegisteredEndpoint {
  id: string;
  signingKey: string;
}

/** Registers a webhook endpoint through the API for the tenant's client. */
export async function registerEndpoint(h: Harness, token: string, url: string, extra: Record<string, unknown> = {}): Promise<RegisteredEndpoint> {
  const res = await h.app.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: bearer(token), payload: { url, ...extra } });
  if (res.statusCode !== 201) throw new Error(`register endpoint failed: ${res.statusCode} ${res.body}`);
  const body = res.json();
  return { id: body.webhook_endpoint_id, signingKey: body.signing_key };
}

export async function generate(h: Harness, tenant: Tenant, programId: string, n: number, headers: Record<string, string> = {}) {
  return h.app.inject({
    method: 'POST',
    url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}/codes/generate`,
    headers: { ...bearer(tenant.token), ...headers },
    payload: { number_of_codes: n },
  });
}

export async function deliveriesOf(h: Harness, endpointId: string) {
  return h.ctx.database.db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId).orderBy('created_at').orderBy('id').execute();
}
