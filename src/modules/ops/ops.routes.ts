import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../../context.js';
import { PUBLIC } from '../../http/openapi/security.js';
import { errorResponses } from '../../http/schema-types.js';
import { databaseReadiness } from './readiness.service.js';

const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('read_only'), Type.Literal('unavailable')]),
  database: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')]),
  environment: Type.Union([Type.Literal('production'), Type.Literal('sandbox')]),
});

/** Liveness, readiness and the OpenAPI document (README.md, Operations). */
/** Every route refuses U+0000 in its query with 400 (reject-nul.ts), these two included. */
const nulInQuery = errorResponses(400);

export async function opsRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;

  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness',
        description: 'Answers while the process runs; reads nothing.',
        operationId: 'getLiveness',
        security: PUBLIC,
        response: { 200: Type.Object({ status: Type.Literal('ok') }, { description: 'Alive' }), ...nulInQuery },
      },
    },
    async () => ({ status: 'ok' }),
  );

  const readiness = {
    tags: ['operations'],
    summary: 'Readiness: the database answers and accepts writes',
    description: '200 when the database answers a query; 503 with Retry-After when it does not, or when it is a read-only standby.',
    operationId: 'getReadiness',
    security: PUBLIC,
    documentation: { responseHeaders: { 503: ['RetryAfter' as const] } },
    response: { ...nulInQuery, 200: { ...Readiness, description: 'Ready' }, 503: { ...Readiness, description: 'The database does not answer' } },
  };
  app.get('/readyz', { schema: readiness }, async (request, reply) => {
    try {
      if ((await databaseReadiness(ctx)) === 'read_only') {
        // A standby (or a database set read-only) cannot serve claims or generation: not ready.
        return reply.status(503).header('retry-after', '1').send({ status: 'read_only', database: ctx.database.dialect, environment: ctx.config.environment });
      }
      return { status: 'ok', database: ctx.database.dialect, environment: ctx.config.environment };
    } catch (err) {
      request.log.warn({ err }, 'readiness check failed');
      return reply.status(503).header('retry-after', '1').send({ status: 'unavailable', database: ctx.database.dialect, environment: ctx.config.environment });
    }
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
