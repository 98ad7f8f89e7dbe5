import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import { unitOfWork, type UnitOfWork } from '../../db/unit-of-work.js';
import { AppError } from '../../lib/errors.js';
import { contentLanguage } from '../../lib/i18n.js';
import { NOT_STORED, storedResponse } from './idempotency.hook.js';
import { complete } from './idempotency.repository.js';

/** What a state-changing route answers for its service's result. */
export interface WireAnswer {
  status: number;
  /** Headers the answer sets (e.g. `location`); those a replay repeats are stored with it. */
  headers?: Record<string, string>;
  /** Serialized with the route's response schema for `status`. */
  body: unknown;
}

/** The content type Fastify gives a serialized object. */
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Runs a state-changing route's service in a unit of work of its own (docs/architecture.md,
 * Transactions) and answers with `answer(result)` (default: 200 and the result). When the request holds a claimed Idempotency-Key,
 * the stored answer — status, replayed headers, sealed body, the format of the onSend path — is
 * written with the business transaction's handle just before it commits: a process that dies after
 * the commit leaves the key COMPLETED, and a retry replays instead of running the change again.
 */
export async function answerInUnitOfWork<R>(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  run: (work: UnitOfWork<R>) => Promise<R>,
  answer: (result: R) => WireAnswer = (result) => ({ status: 200, body: result }),
): Promise<unknown> {
  const claim = request.idempotencyRowId;
  let written = false;
  const work = unitOfWork<R>(
    ctx.database,
    claim
      ? async (trx, result) => {
          const wire = answer(result);
          if (NOT_STORED(wire.status)) return;
          // reply.serialize picks the route's serializer of the reply's status: the bytes sent later.
          void reply.code(wire.status);
          const body = reply.serialize(wire.body) as string;
          const headers: Record<string, string> = {
            'content-type': JSON_TYPE,
            ...wire.headers,
            'content-language': contentLanguage(request.locale),
          };
          const stored = storedResponse(ctx, wire.status, (name) => headers[name], body);
          // The claim was taken over (its lock ran out): the change must not commit a second time.
          if (!(await complete(trx, claim, stored))) throw new AppError('idempotency_key_in_use', 'idempotency_key_in_use', { headers: { 'retry-after': '1' } });
          written = true;
        }
      : undefined,
  );
  let result: R;
  try {
    result = await run(work);
  } finally {
    // Committed with the business change: onSend has nothing left to store or release for this key.
    if (written && work.committed) request.idempotencyRowId = null;
  }
  const wire = answer(result);
  void reply.code(wire.status).headers(wire.headers ?? {});
  return wire.body;
}
