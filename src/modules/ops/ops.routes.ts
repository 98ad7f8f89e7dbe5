import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';

/** PostgreSQL: the session is on a standby (`pg_is_in_recovery()`) or read-only by setting. */
async function isReadOnly(ctx: AppContext): Promise<boolean> {
  const { rows } = await sql<{ read_only: boolean }>`
    select pg_is_in_recovery() or current_setting('transaction_read_only') = 'on' as read_only`.execute(ctx.database.db);
  return rows[0]?.read_only === true;
}

/** Liveness, readiness and the OpenAPI document (api.md §1, Operations). */
export async function opsRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;

  app.get('/healthz', { schema: { tags: ['operations'], summary: 'Liveness' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { tags: ['operations'], summary: 'Readiness: the database answers and accepts writes' } }, async (request, reply) => {
    try {
      if (ctx.database.dialect === 'postgres' && (await isReadOnly(ctx))) {
        // A standby (or a database set read-only) cannot serve claims or generation: not ready.
        return reply.status(503).header('retry-after', '1').send({ status: 'read_only', database: ctx.database.dialect, environment: ctx.config.environment });
      }
      if (ctx.database.dialect === 'sqlite') await sql`select 1`.execute(ctx.database.db);
      return { status: 'ok', database: ctx.database.dialect, environment: ctx.config.environment };
    } catch (err) {
      request.log.warn({ err }, 'readiness check failed');
      return reply.status(503).header('retry-after', '1').send({ status: 'unavailable', database: ctx.database.dialect, environment: ctx.config.environment });
    }
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
