import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { allowEmptyJsonBody, emptyBodyAsObject } from '../../http/empty-body.js';
import { orgCreateInput } from '../../http/create-input.js';
import { errorResponses } from '../../http/schema-types.js';
import { cancelProgram, patchProgram } from './program-update.service.js';
import { searchVoucherPrograms } from './program-search.service.js';
import { getProgram, type CreatedProgram as CreatedProgramAnswer } from './program.service.js';
import { ORG_SECURITY } from '../../http/openapi/security.js';
import type { UnitOfWork } from '../../db/unit-of-work.js';
import { answerInUnitOfWork } from '../idempotency/idempotent-answer.js';
import {
  CreatedProgram,
  CreateProgramBody,
  createProgramBodyDocumentation,
  ProgramSummary,
  ProgramWire,
  GetProgramQuery,
  GuestWire,
  OrgParams,
  PatchProgramBody,
  ProgramParams,
  SearchProgramsBody,
} from './program.schemas.js';

const PROGRAMS = '/v1/organizations/:organization_id/voucher-programs';

/**
 * What the program routes need from the modules above programs (codes: a program is created with its
 * codes; guests: GET can include them). src/app.ts passes them in, so programs imports neither
 * (docs/architecture.md, Module order).
 */
export interface ProgramRouteServices {
  createProgram(
    ctx: AppContext,
    input: { organizationId: string; body: CreateProgramBody; clientId: string | null },
    work: UnitOfWork<CreatedProgramAnswer>,
  ): Promise<CreatedProgramAnswer>;
  listGuestsForProgram(ctx: AppContext, organizationId: string, programId: string): Promise<Static<typeof GuestWire>[]>;
}

export async function programRoutes(app: FastifyInstance, opts: { ctx: AppContext; services: ProgramRouteServices }): Promise<void> {
  const { ctx } = opts;
  const { createProgram, listGuestsForProgram } = opts.services;

  app.post<{ Params: OrgParams; Body: CreateProgramBody }>(
    PROGRAMS,
    {
      schema: {
        summary: 'Create Voucher Program',
        description: 'Creates a program; MULTI_CODE_SINGLE_REDEEM generates `number_of_codes` codes with it, SINGLE_CODE_MULTI_REDEEM answers its one code.',
        operationId: 'createVoucherProgram',
        security: ORG_SECURITY,
        tags: ['programs'],
        params: OrgParams,
        body: CreateProgramBody,
        documentation: { body: createProgramBodyDocumentation(ctx.config.maxCodesPerRequest) },
        response: { 200: CreatedProgram, ...errorResponses(400, 401, 403, 409, 413, 422, 429, 500) },
      },
    },
    async (request, reply) => answerInUnitOfWork<CreatedProgramAnswer>(ctx, request, reply, (work) => createProgram(ctx, orgCreateInput(request), work)),
  );

  app.get<{ Params: ProgramParams; Querystring: { include_guests?: boolean } }>(
    `${PROGRAMS}/:voucher_program_id`,
    {
      schema: {
        summary: 'Get Voucher Program',
        description: '`include_guests=true` adds `guests` (the first MAX_PAGE_SIZE guests; page with GET …/guests).',
        operationId: 'getVoucherProgram',
        security: ORG_SECURITY,
        tags: ['programs'],
        params: ProgramParams,
        querystring: GetProgramQuery,
        response: {
          200: Type.Composite([ProgramWire, Type.Object({ guests: Type.Optional(Type.Array(GuestWire)) })], { description: 'The program' }),
          ...errorResponses(400, 401, 403, 404, 500),
        },
      },
    },
    async (request) => {
      const { organization_id: organizationId, voucher_program_id: programId } = request.params;
      const wire = await getProgram(ctx, organizationId, programId);
      return request.query.include_guests ? { ...wire, guests: await listGuestsForProgram(ctx, organizationId, programId) } : wire;
    },
  );

  app.patch<{ Params: ProgramParams; Body: PatchProgramBody }>(
    `${PROGRAMS}/:voucher_program_id`,
    {
      schema: {
        summary: 'Update Voucher Program',
        description:
          'Partial update. Before start any mutable field; after start only increases and extensions. `code_scheme` and `currency_code` are immutable.',
        operationId: 'updateVoucherProgram',
        security: ORG_SECURITY,
        tags: ['programs'],
        params: ProgramParams,
        body: PatchProgramBody,
        response: { 200: ProgramWire, ...errorResponses(400, 401, 403, 404, 413, 500) },
      },
    },
    async (request) =>
      patchProgram(ctx, {
        organizationId: request.params.organization_id,
        programId: request.params.voucher_program_id,
        body: request.body,
      }),
  );

  app.post<{ Params: OrgParams; Body: SearchProgramsBody }>(
    `${PROGRAMS}/search`,
    {
      schema: {
        summary: 'Search Voucher Programs',
        description: "The organization's programs, newest first, optionally of one status; `limit` + `offset` page them.",
        operationId: 'searchVoucherPrograms',
        security: ORG_SECURITY,
        tags: ['programs'],
        params: OrgParams,
        body: SearchProgramsBody,
        response: { 200: Type.Object({ voucher_programs: Type.Array(ProgramSummary) }), ...errorResponses(400, 401, 403, 409, 413, 422, 500) },
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
          description: '204, idempotent. Codes stop being claimable at once.',
          operationId: 'cancelVoucherProgram',
          security: ORG_SECURITY,
          tags: ['programs'],
          params: ProgramParams,
          body: Type.Object({}, { additionalProperties: false }),
          response: { 204: Type.Null({ description: 'Canceled' }), ...errorResponses(400, 401, 403, 404, 409, 422, 500) },
        },
      },
      async (request, reply) => {
        await cancelProgram(ctx, { organizationId: request.params.organization_id, programId: request.params.voucher_program_id });
        return reply.status(204).send();
      },
    );
  });
}
