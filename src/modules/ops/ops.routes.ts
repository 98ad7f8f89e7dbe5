import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';

/** Liveness, readiness and the OpenAPI document (api.md §1, Operations). */
export async function opsRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;

  app.get('/healthz', { schema: { tags: ['operations'], summary: 'Liveness' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { tags: ['operations'], summary: 'Readiness: the database answers' } }, async (request, reply) => {
    try {
      await sql`select 1`.execute(ctx.database.db);
      return { status: 'ok', database: ctx.database.dialect, environment: ctx.config.environment };
    } catch (err) {
      request.log.warn({ err }, 'readiness check failed');
      return reply.status(503).header('retry-after', '1').send({ status: 'unavailable', database: ctx.database.dialect, environment: ctx.config.environment });
    }
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
