import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { errorResponses } from '../../http/schema-types.js';
import { createProgram, getProgram } from './program.service.js';
import { CreateProgramBody, GetProgramQuery, OrgParams, ProgramParams } from './program.schemas.js';
import { programToWire } from './program.view.js';

export async function programRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;

  app.post<{ Params: OrgParams; Body: CreateProgramBody }>(
    '/v1/organizations/:organization_id/voucher-programs',
    {
      schema: {
        summary: 'Create Voucher Program',
        tags: ['programs'],
        params: OrgParams,
        body: CreateProgramBody,
        response: {
          200: Type.Object({
            voucher_program_id: Type.String(),
            code_text: Type.Optional(Type.String()),
            code_link: Type.Optional(Type.String()),
          }),
          ...errorResponses(400, 401, 403, 413, 500),
        },
      },
    },
    async (request) =>
      createProgram(ctx, {
        organizationId: request.params.organization_id,
        body: request.body,
        clientId: request.principal?.clientId ?? null,
      }),
  );

  app.get<{ Params: ProgramParams; Querystring: { include_guests?: boolean } }>(
    '/v1/organizations/:organization_id/voucher-programs/:voucher_program_id',
    {
      schema: {
        summary: 'Get Voucher Program',
        tags: ['programs'],
        params: ProgramParams,
        querystring: GetProgramQuery,
      },
    },
    async (request) => {
      const program = await getProgram(ctx, request.params.organization_id, request.params.voucher_program_id);
      const wire = programToWire(program, ctx.clock.now());
      // Guests arrive with add-guests (a later issue); until then a program has none.
      return request.query.include_guests ? { ...wire, guests: [] } : wire;
    },
  );
}
