import type { EndpointRow } from './endpoint.repository.js';

/** Wire shape of a webhook endpoint (X). The signing key is never part of it (shown once, at creation/rotation). */
export function endpointToWire(row: EndpointRow) {
  return {
    webhook_endpoint_id: row.id,
    url: row.url,
    event_types: row.event_types ? (JSON.parse(row.event_types) as string[]) : null,
    description: row.description,
    status: row.status,
    disabled_reason: row.disabled_reason,
    previous_key_expires_at: row.previous_key_expires_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export type EndpointWire = ReturnType<typeof endpointToWire>;
