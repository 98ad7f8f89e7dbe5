import type { AppContext } from '../../context.js';
import { randomBytes } from '../../lib/random.js';
import {
  claimDueDeliveries,
  countAttempts,
  failPendingForEndpoint,
  finishAttempt,
  insertAttempt,
  type AttemptOutcome,
  type DeliveryRow,
} from './delivery.repository.js';
import { disableEndpoint, findEndpointById } from './endpoint.repository.js';
import { SIGNING_KEY_PURPOSE } from './endpoint.service.js';
import { entitlementRefusal } from './entitlement.js';
import { parseRetryAfter, type SendResult, type WebhookTransport } from './sender.js';
import { signatureHeaders } from './signing.js';

/** Longest wait a receiver's Retry-After may impose on one delivery. */
const MAX_RETRY_AFTER_MS = 6 * 3600_000;

/**
 * Exponential back-off with jitter (docs/webhooks.md): after attempt n the next comes base · 2^(n-1),
 * scaled by a random factor in [0.8, 1.2). Defaults (60 s, 7 attempts) span about an hour.
 */
export function backoffDelayMs(ctx: AppContext, attempt: number): number {
  const bytes = randomBytes(ctx.random, 2);
  const unit = ((bytes[0]! << 8) | bytes[1]!) / 65_536;
  const base = ctx.config.webhookBackoffBaseSeconds * 1000 * 2 ** Math.max(0, attempt - 1);
  return Math.round(base * (0.8 + 0.4 * unit));
}

function outcomeOf(ctx: AppContext, delivery: DeliveryRow, result: SendResult, now: number): AttemptOutcome {
  const code = result.statusCode;
  const base = { statusCode: code, error: result.error, deliveredAt: null };
  if (code !== null && code >= 200 && code < 300) return { ...base, status: 'SUCCEEDED', nextAttemptAt: now, deliveredAt: now };
  if (code === 410) return { ...base, status: 'FAILED', nextAttemptAt: now, error: 'endpoint answered 410 Gone; endpoint disabled' };
  const error = result.error ?? (code !== null && code >= 300 && code < 400 ? `redirect ${code} not followed` : `HTTP ${code}`);
  if (delivery.attempts >= ctx.config.webhookMaxAttempts) return { ...base, error, status: 'FAILED', nextAttemptAt: now };
  const retryAfter = parseRetryAfter(result.retryAfter, now);
  const wait = retryAfter !== null ? Math.min(retryAfter, MAX_RETRY_AFTER_MS) : backoffDelayMs(ctx, delivery.attempts);
  return { ...base, error, status: 'PENDING', nextAttemptAt: now + wait };
}

/** One attempt of one claimed delivery: sign, send, record (fenced by our lease). */
export async function attemptDelivery(ctx: AppContext, transport: WebhookTransport, holder: string, delivery: DeliveryRow): Promise<void> {
  const db = ctx.database.db;
  const endpoint = await findEndpointById(db, delivery.endpoint_id);
  const startedAt = ctx.clock.now();
  if (!endpoint || endpoint.deleted_at !== null || endpoint.status !== 'ENABLED') {
    const reason = !endpoint || endpoint.deleted_at !== null ? 'endpoint removed' : 'endpoint disabled';
    await finishAttempt(db, delivery.id, holder, { status: 'FAILED', nextAttemptAt: startedAt, statusCode: null, error: reason, deliveredAt: null });
    return;
  }
  // The organization may have revoked the aggregator, or the client been disabled, since fan-out.
  const refusal = await entitlementRefusal(db, delivery.client_id, delivery.organization_id);
  if (refusal !== null) {
    if (await finishAttempt(db, delivery.id, holder, { status: 'FAILED', nextAttemptAt: startedAt, statusCode: null, error: refusal, deliveredAt: null })) {
      ctx.metrics.webhookDeliveries.inc({ outcome: 'failed' });
    }
    return;
  }
  const previousLive = endpoint.previous_signing_key !== null && Number(endpoint.previous_key_expires_at ?? 0) > startedAt;
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'voucherd-webhooks/0.1',
    'x-environment': ctx.config.webhookEnvironment,
    ...signatureHeaders(
      {
        current: ctx.secrets().read(endpoint.signing_key, SIGNING_KEY_PURPOSE),
        previous: previousLive ? ctx.secrets().read(endpoint.previous_signing_key!, SIGNING_KEY_PURPOSE) : null,
      },
      delivery.id,
      Math.floor(startedAt / 1000),
      delivery.body,
    ),
  };
  const t0 = performance.now();
  const result = await transport({ url: endpoint.url, headers, body: delivery.body });
  const durationMs = Math.round(performance.now() - t0);
  const now = ctx.clock.now();
  const outcome = outcomeOf(ctx, delivery, result, now);
  if (!(await finishAttempt(db, delivery.id, holder, outcome))) return; // our lease was taken over
  ctx.metrics.webhookDeliveries.inc({ outcome: outcome.status === 'SUCCEEDED' ? 'delivered' : outcome.status === 'PENDING' ? 'retry' : 'failed' });
  if (outcome.status === 'SUCCEEDED') ctx.metrics.webhookDeliveryLag.observe(Math.max(0, now - Number(delivery.created_at)) / 1000);
  await insertAttempt(db, {
    id: ctx.ids.next(),
    delivery_id: delivery.id,
    attempt: (await countAttempts(db, delivery.id)) + 1,
    started_at: startedAt,
    duration_ms: durationMs,
    status_code: result.statusCode,
    error: outcome.status === 'SUCCEEDED' ? null : outcome.error,
    response_excerpt: result.responseExcerpt,
  });
  if (result.statusCode === 410) {
    await disableEndpoint(db, endpoint.id, 'receiver answered 410 Gone', now);
    await failPendingForEndpoint(db, endpoint.id, 'endpoint disabled');
  }
}

/**
 * Claims due deliveries in batches and attempts them concurrently, until none is due, the batch
 * budget is spent or the runner stops. Returns the number of attempts made.
 */
export async function deliverDue(
  ctx: AppContext,
  transport: WebhookTransport,
  holder: string,
  signal?: AbortSignal,
  maxBatches = 50,
): Promise<number> {
  const leaseMs = ctx.config.webhookTimeoutMs + 5_000;
  let attempts = 0;
  for (let batch = 0; batch < maxBatches && !signal?.aborted; batch += 1) {
    const claimed = await claimDueDeliveries(ctx.database.db, ctx.database.dialect, holder, ctx.clock.now(), leaseMs, ctx.config.webhookConcurrency);
    if (claimed.length === 0) break;
    await Promise.all(claimed.map((d) => attemptDelivery(ctx, transport, holder, d)));
    attempts += claimed.length;
  }
  return attempts;
}
