import type { Kysely } from 'kysely';
import type { AppContext } from '../../context.js';
import type { DB } from '../../db/schema.js';
import type { UnitOfWork } from '../../db/unit-of-work.js';
import { AppError } from '../../lib/errors.js';
import { EVENT_TYPES, type EventType } from './events.js';
import { endpointToWire, type EndpointWire } from './endpoint.view.js';
import { countLiveEndpoints, findEndpoint, insertEndpoint, lockClientEndpoints, listEndpoints, removeEndpoint, rotateKey } from './endpoint.repository.js';
import { newSigningKey } from './signing.js';
import { checkTargetUrl } from './ssrf.js';

/** Additional data the signing keys are sealed under (docs/secrets.md). */
export const SIGNING_KEY_PURPOSE = 'webhook_endpoints.signing_key';

export interface CreateEndpointInput {
  clientId: string;
  url: string;
  eventTypes?: string[];
  description?: string;
}

export type CreatedEndpoint = EndpointWire & { signing_key: string };

function notFound(): AppError {
  return new AppError('not_found', 'webhook_endpoint_not_found');
}

/** Registration-time SSRF check (docs/webhooks.md, docs/guarantees.md): syntax, literal addresses, DNS answers. */
async function assertTargetAllowed(ctx: AppContext, url: string): Promise<void> {
  const verdict = await checkTargetUrl(url, ctx.config.webhookAllowPrivateTargets);
  if (!verdict.ok) {
    throw new AppError('invalid_request', 'webhook_url_refused', { params: { reason: verdict.reason }, metadata: { field: 'url' } });
  }
}

/** Registers an endpoint in `work`'s transaction (under its client's lock). */
export async function createEndpoint(ctx: AppContext, input: CreateEndpointInput, work: UnitOfWork<CreatedEndpoint>): Promise<CreatedEndpoint> {
  await assertTargetAllowed(ctx, input.url);
  let eventTypes: EventType[] | null = null;
  if (input.eventTypes !== undefined) {
    const unknown = input.eventTypes.find((t) => !(EVENT_TYPES as readonly string[]).includes(t));
    if (unknown !== undefined) throw new AppError('invalid_request', 'field_invalid', { params: { field: 'event_types' }, metadata: { field: 'event_types' } });
    eventTypes = [...new Set(input.eventTypes)] as EventType[];
  }
  const now = ctx.clock.now();
  const signingKey = newSigningKey(ctx.random);
  const row = {
    id: ctx.ids.next(),
    client_id: input.clientId,
    url: input.url,
    event_types: eventTypes ? JSON.stringify(eventTypes) : null,
    description: input.description ?? null,
    // Stored sealed (docs/secrets.md); the key itself is shown once, in this answer.
    signing_key: ctx.secrets().seal(signingKey, SIGNING_KEY_PURPOSE),
    previous_signing_key: null,
    previous_key_expires_at: null,
    status: 'ENABLED' as const,
    disabled_reason: null,
    created_at: now,
    updated_at: now,
    deleted_at: null,
  };
  // Check and insert under the client's lock (docs/webhooks.md, Fan-out caps): parallel creates in
  // any number of processes end with at most MAX_WEBHOOK_ENDPOINTS_PER_CLIENT live endpoints.
  const limit = ctx.config.maxWebhookEndpointsPerClient;
  return work.transaction(async (trx) => {
    await lockClientEndpoints(trx, ctx.database.dialect, input.clientId);
    if ((await countLiveEndpoints(trx, input.clientId)) >= limit) {
      throw new AppError('invalid_request', 'webhook_endpoint_limit_reached', { params: { limit }, metadata: { limit } });
    }
    await insertEndpoint(trx, row);
    return { ...endpointToWire(row), signing_key: signingKey };
  });
}

export async function listClientEndpoints(ctx: AppContext, clientId: string): Promise<EndpointWire[]> {
  return (await listEndpoints(ctx.database.db, clientId)).map(endpointToWire);
}

export async function getClientEndpoint(ctx: AppContext, clientId: string, id: string): Promise<EndpointWire> {
  const row = await findEndpoint(ctx.database.db, clientId, id);
  if (!row) throw notFound();
  return endpointToWire(row);
}

/** Removes the endpoint; its pending deliveries stop (the dispatcher skips removed endpoints). */
export async function deleteEndpoint(ctx: AppContext, clientId: string, id: string): Promise<void> {
  if (!(await removeEndpoint(ctx.database.db, clientId, id, ctx.clock.now()))) throw notFound();
}

/**
 * Issues a new signing key. For `overlapSeconds` (default WEBHOOK_KEY_OVERLAP_SECONDS) deliveries
 * are signed with both keys so the receiver can switch at its own pace; 0 retires the old key now.
 */
export async function rotateSigningKey(
  ctx: AppContext,
  clientId: string,
  id: string,
  overlap: number | undefined,
  work: UnitOfWork<CreatedEndpoint>,
): Promise<CreatedEndpoint> {
  const overlapSeconds = overlap ?? ctx.config.webhookKeyOverlapSeconds;
  const now = ctx.clock.now();
  const next = newSigningKey(ctx.random);
  const previousExpiresAt = overlapSeconds > 0 ? now + overlapSeconds * 1000 : null;
  return work.transaction((db) => rotateIn(ctx, db, { clientId, id, next, previousExpiresAt, now }));
}

async function rotateIn(
  ctx: AppContext,
  db: Kysely<DB>,
  { clientId, id, next, previousExpiresAt, now }: { clientId: string; id: string; next: string; previousExpiresAt: number | null; now: number },
): Promise<CreatedEndpoint> {
  // Conditional on the key we read: of two concurrent rotations one applies, the other re-reads.
  for (let round = 0; round < 5; round += 1) {
    const row = await findEndpoint(db, clientId, id);
    if (!row) throw notFound();
    const box = ctx.secrets();
    // The old key is re-sealed as it moves (a legacy plaintext key is sealed on the way).
    const keys = {
      next: box.seal(next, SIGNING_KEY_PURPOSE),
      stored: row.signing_key,
      previous: box.seal(box.read(row.signing_key, SIGNING_KEY_PURPOSE), SIGNING_KEY_PURPOSE),
      previousExpiresAt,
    };
    if (await rotateKey(db, clientId, id, keys, now)) {
      const updated = (await findEndpoint(db, clientId, id))!;
      return { ...endpointToWire(updated), signing_key: next };
    }
  }
  throw new AppError('unavailable', 'service_unavailable', { headers: { 'retry-after': '1' } });
}
