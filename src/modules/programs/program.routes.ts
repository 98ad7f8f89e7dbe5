import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { allowEmptyJsonBody, emptyBodyAsObject } from '../../http/empty-body.js';
import { errorResponses } from '../../http/schema-types.js';
import { listGuestsForProgram } from '../guests/guest.service.js';
import { cancelProgram, patchProgram } from './program-update.service.js';
import { searchVoucherPrograms } from './program-search.service.js';
import { createProgram, getProgram } from './program.service.js';
import {
  CreateProgramBody,
  GetProgramQuery,
  OrgParams,
  PatchProgramBody,
  ProgramParams,
  SearchProgramsBody,
} from './program.schemas.js';
import { programToWire } from './program.view.js';

const PROGRAMS = '/v1/organizations/:organization_id/voucher-programs';

export async function programRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;

  app.post<{ Params: OrgParams; Body: CreateProgramBody }>(
    PROGRAMS,
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
    `${PROGRAMS}/:voucher_program_id`,
    {
      schema: {
        summary: 'Get Voucher Program',
        description: '`include_guests=true` adds `guests` (the first MAX_PAGE_SIZE guests; page with GET …/guests).',
        tags: ['programs'],
        params: ProgramParams,
        querystring: GetProgramQuery,
      },
    },
    async (request) => {
      const program = await getProgram(ctx, request.params.organization_id, request.params.voucher_program_id);
      const wire = programToWire(program, ctx.clock.now());
      return request.query.include_guests ? { ...wire, guests: await listGuestsForProgram(ctx, program) } : wire;
    },
  );

  app.patch<{ Params: ProgramParams; Body: PatchProgramBody }>(
    `${PROGRAMS}/:voucher_program_id`,
    {
      schema: {
        summary: 'Update Voucher Program',
        description:
          'Partial update (api.md §4). Before start any mutable field; after start only increases and extensions. `code_scheme` and `currency_code` are immutable.',
        tags: ['programs'],
        params: ProgramParams,
        body: PatchProgramBody,
        response: { ...errorResponses(400, 401, 403, 404, 413, 500) },
      },
    },
    async (request) => {
      const program = await patchProgram(ctx, {
        organizationId: request.params.organization_id,
        programId: request.params.voucher_program_id,
        body: request.body,
      });
      return programToWire(program, ctx.clock.now());
    },
  );

  app.post<{ Params: OrgParams; Body: SearchProgramsBody }>(
    `${PROGRAMS}/search`,
    {
      schema: {
        summary: 'Search Voucher Programs',
        tags: ['programs'],
        params: OrgParams,
        body: SearchProgramsBody,
        response: { ...errorResponses(400, 401, 403, 413, 500) },
      },
    },
    async (request) => searchVoucherPrograms(ctx, request.params.organization_id, request.body),
  );

  await app.register(async (actions) => {
    allowEmptyJsonBody(actions);
    actions.post<{ Params: ProgramParams }>(
      `${PROGRAMS}/:voucher_program_id/cancel`,
      {
        preValidation: emptyBodyAsObject,
        schema: {
          summary: 'Cancel Voucher Program',
          description: '204, idempotent (api.md §4). Codes stop being claimable at once.',
          tags: ['programs'],
          params: ProgramParams,
          body: Type.Object({}, { additionalProperties: false }),
          response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 500) },
        },
      },
      async (request, reply) => {
        await cancelProgram(ctx, { organizationId: request.params.organization_id, programId: request.params.voucher_program_id });
        return reply.status(204).send();
      },
    );
  });
}
