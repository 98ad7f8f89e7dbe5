import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import { AppError } from '../../lib/errors.js';
import { complete, deleteStale, findByScope, release, tryClaim, type Scope } from './idempotency.repository.js';

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyRowId: string | null;
  }
}

/** How long a claimed key blocks duplicates while its request runs (a crashed owner frees it after this). */
const IN_PROGRESS_LOCK_MS = 120_000;
/** Outcomes that are not stored (transient): server errors, conflicts, rate limits. Retrying re-executes. */
export const NOT_STORED = (status: number) => status >= 500 || status === 409 || status === 429;
const REPLAYED_HEADERS = ['content-type', 'location', 'content-language'];
/**
 * Stored bodies are sealed (docs/secrets.md): a first answer may carry a live secret (a single
 * code's code_text, a new webhook signing key) and the replay must return it exactly.
 */
export const RESPONSE_BODY_PURPOSE = 'idempotency_keys.response_body';

/** JSON with sorted object keys: the same body hashes the same whatever its key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function requestHash(request: FastifyRequest): string {
  const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
  return createHash('sha256').update(`${query}\n${canonical(request.body ?? null)}`).digest('hex');
}

function scopeOf(request: FastifyRequest, key: string): Scope {
  const principal = request.principal!;
  const organizationId = (request.params as { organization_id?: string } | undefined)?.organization_id ?? '';
  return {
    // The client, plus the user for delegated and rider tokens: two riders of one app never share keys.
    principal: `${principal.clientId}:${principal.userId ?? ''}`,
    organizationId,
    method: request.method,
    path: request.url.split('?')[0]!,
    key,
  };
}

function replay(ctx: AppContext, reply: FastifyReply, row: { response_status: number | null; response_headers: string | null; response_body: string | null }) {
  const headers = JSON.parse(row.response_headers ?? '{}') as Record<string, string>;
  return reply
    .code(row.response_status ?? 200)
    .headers(headers)
    .header('idempotent-replayed', 'true')
    .send(row.response_body === null ? '' : ctx.secrets().read(row.response_body, RESPONSE_BODY_PURPOSE));
}

/**
 * preHandler (after access checks and body validation): claims the key's unique row before the
 * handler runs, or answers from the stored outcome (docs/programs.md, docs/guarantees.md).
 */
export function idempotencyPreHandler(ctx: AppContext) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> => {
    request.idempotencyRowId = null;
    if (request.method !== 'POST' || !request.principal) return;
    const header = request.headers['idempotency-key'];
    if (header === undefined) return;
    const key = Array.isArray(header) ? '' : header;
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) throw new AppError('invalid_request', 'idempotency_key_invalid', { metadata: { field: 'Idempotency-Key' } });
    const scope = scopeOf(request, key);
    const hash = requestHash(request);
    const db = ctx.database.db;
    for (let round = 0; round < 3; round += 1) {
      const now = ctx.clock.now();
      const id = ctx.ids.next();
      const claimed = await tryClaim(db, {
        id,
        principal: scope.principal,
        organization_id: scope.organizationId,
        method: scope.method,
        path: scope.path,
        idempotency_key: key,
        request_hash: hash,
        status: 'IN_PROGRESS',
        locked_until: now + IN_PROGRESS_LOCK_MS,
        response_status: null,
        response_headers: null,
        response_body: null,
        created_at: now,
        expires_at: now + ctx.config.idempotencyRetentionSeconds * 1000,
      });
      if (claimed) {
        request.idempotencyRowId = id;
        return;
      }
      const existing = await findByScope(db, scope);
      if (!existing) continue; // released between our insert and read: claim again
      const expired = Number(existing.expires_at) <= now;
      const abandoned = existing.status === 'IN_PROGRESS' && Number(existing.locked_until) < now;
      if (expired || abandoned) {
        await deleteStale(db, existing.id, now);
        continue;
      }
      if (existing.request_hash !== hash) throw new AppError('idempotency_key_reused', 'idempotency_key_reused');
      if (existing.status === 'COMPLETED') return replay(ctx, reply, existing);
      throw new AppError('idempotency_key_in_use', 'idempotency_key_in_use', { headers: { 'retry-after': '1' } });
    }
    throw new AppError('idempotency_key_in_use', 'idempotency_key_in_use', { headers: { 'retry-after': '1' } });
  };
}

/** What a key keeps of an answer: its status, the replayed headers (as JSON) and the sealed body. */
export function storedResponse(ctx: AppContext, status: number, header: (name: string) => unknown, body: string) {
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = header(name);
    if (typeof value === 'string') headers[name] = value;
  }
  return { status, headers: JSON.stringify(headers), body: ctx.secrets().seal(body, RESPONSE_BODY_PURPOSE) };
}

/**
 * onSend: for a key still claimed — the answer was not committed with a business change
 * (idempotent-answer.ts), e.g. a 4xx thrown before any write — stores the outcome under the key, or
 * frees the key for a transient one.
 */
export function idempotencyOnSend(ctx: AppContext) {
  return async (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
    const id = request.idempotencyRowId;
    if (!id) return payload;
    request.idempotencyRowId = null;
    const db = ctx.database.db;
    const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : null;
    if (body === null || NOT_STORED(reply.statusCode)) {
      await release(db, id);
      return payload;
    }
    await complete(db, id, storedResponse(ctx, reply.statusCode, (name) => reply.getHeader(name), body));
    return payload;
  };
}

/**
 * Gives every POST route registered in `instance` (and its children) Idempotency-Key handling.
 * Call it in a plugin whose routes set `request.principal` in an earlier hook (org plugin, rider
 * and trips routes).
 */
export function registerIdempotency(instance: FastifyInstance, ctx: AppContext): void {
  if (!instance.hasRequestDecorator('idempotencyRowId')) instance.decorateRequest('idempotencyRowId', null);
  instance.addHook('preHandler', idempotencyPreHandler(ctx));
  // The OpenAPI document names Idempotency-Key on the POST routes this hook guards.
  instance.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.includes('POST')) route.config = { ...(route.config ?? {}), idempotencyKey: true };
  });
  instance.addHook('onSend', idempotencyOnSend(ctx));
}
