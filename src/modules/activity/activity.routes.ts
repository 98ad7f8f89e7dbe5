import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { ORG_SECURITY } from '../../http/openapi/security.js';
import { errorResponses } from '../../http/schema-types.js';
import type { BucketSize } from '../../lib/local-time.js';
import { ProgramParams } from '../programs/program.schemas.js';
import { ActivityQuery, ActivityWire } from './activity.schemas.js';
import { programActivity } from './activity.service.js';

export async function activityRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  app.get<{ Params: ProgramParams; Querystring: ActivityQuery }>(
    '/v1/organizations/:organization_id/voucher-programs/:voucher_program_id/activity',
    {
      schema: {
        summary: 'Get program activity (voucherd extension)',
        description:
          'Claims, counted trips and covered amount per local hour or day of the program time zone, from `from` (inclusive) to `to` (exclusive), at most 1,000 buckets; every bucket listed, empty ones included.',
        operationId: 'getVoucherProgramActivity',
        security: ORG_SECURITY,
        tags: ['programs'],
        params: ProgramParams,
        querystring: ActivityQuery,
        response: { 200: ActivityWire, ...errorResponses(400, 401, 403, 404, 500) },
      },
    },
    async (request) =>
      programActivity(ctx, {
        organizationId: request.params.organization_id,
        programId: request.params.voucher_program_id,
        ...(request.query.bucket !== undefined ? { bucket: request.query.bucket as BucketSize } : {}),
        ...(request.query.from !== undefined ? { from: request.query.from } : {}),
        ...(request.query.to !== undefined ? { to: request.query.to } : {}),
      }),
  );
}
