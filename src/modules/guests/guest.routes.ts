import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { allowEmptyJsonBody, emptyBodyAsObject } from '../../http/empty-body.js';
import { errorResponses } from '../../http/schema-types.js';
import { ProgramParams } from '../programs/program.schemas.js';
import { addGuests, distributeCodes, listGuests, type AddedGuests as AddedGuestsAnswer } from './guest.service.js';
import { answerInUnitOfWork } from '../idempotency/idempotent-answer.js';
import { ORG_SECURITY } from '../../http/openapi/security.js';
import { AddedGuests, AddGuestsBody, DistributeBody, GuestPage, ListGuestsQuery } from './guest.schemas.js';
import { notifierFor } from './notifier.js';

const PROGRAM = '/v1/organizations/:organization_id/voucher-programs/:voucher_program_id';

export async function guestRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;

  app.post<{ Params: ProgramParams; Body: AddGuestsBody }>(
    `${PROGRAM}/add-guests`,
    {
      schema: {
        summary: 'Add Guests to Voucher Program',
        description:
          'Adds guests (email and/or E.164 phone). MULTI_CODE programs bind one unassigned code per new guest. `send_notifications` (default true) distributes at once. 409 while a generation runs.',
        operationId: 'addGuestsToVoucherProgram',
        security: ORG_SECURITY,
        tags: ['guests'],
        params: ProgramParams,
        body: AddGuestsBody,
        response: { 200: AddedGuests, ...errorResponses(400, 401, 403, 404, 409, 413, 422, 429, 500) },
      },
    },
    async (request, reply) =>
      answerInUnitOfWork<AddedGuestsAnswer>(ctx, request, reply, (work) =>
        addGuests(
          ctx,
          {
            organizationId: request.params.organization_id,
            programId: request.params.voucher_program_id,
            body: request.body,
            notifier: notifierFor(ctx, request.log),
          },
          work,
        ),
      ),
  );

  app.get<{ Params: ProgramParams; Querystring: ListGuestsQuery }>(
    `${PROGRAM}/guests`,
    {
      schema: {
        summary: 'Get Voucher Program Guest Info',
        description: 'The guests of a program with their codes, one page at a time (`limit` + `page_token`).',
        operationId: 'getVoucherProgramGuestInfo',
        security: ORG_SECURITY,
        tags: ['guests'],
        params: ProgramParams,
        querystring: ListGuestsQuery,
        response: { 200: GuestPage, ...errorResponses(400, 401, 403, 404, 500) },
      },
    },
    async (request) =>
      listGuests(ctx, {
        organizationId: request.params.organization_id,
        programId: request.params.voucher_program_id,
        ...(request.query.limit !== undefined ? { limit: request.query.limit } : {}),
        ...(request.query.page_token !== undefined ? { pageToken: request.query.page_token } : {}),
      }),
  );

  // The body is optional (`codes` absent = all): an empty JSON body is accepted here.
  await app.register(async (actions) => {
    allowEmptyJsonBody(actions);
    actions.post<{ Params: ProgramParams; Body: DistributeBody }>(
      `${PROGRAM}/codes/distribute`,
      {
        preValidation: emptyBodyAsObject,
        schema: {
          summary: 'Distribute Voucher Codes',
          description:
            "Sends guests their codes through the notifier (default: the log) — all not yet distributed, or only the listed `codes`. Emits voucher_program_code_distributed. 409 while a generation runs.",
          operationId: 'distributeVoucherCodes',
          security: ORG_SECURITY,
          tags: ['codes'],
          params: ProgramParams,
          body: DistributeBody,
          response: { 200: Type.Object({ number_of_codes_distributed: Type.Integer() }), ...errorResponses(400, 401, 403, 404, 409, 413, 422, 429, 500) },
        },
      },
      async (request, reply) =>
        answerInUnitOfWork<{ number_of_codes_distributed: number }>(ctx, request, reply, (work) =>
          distributeCodes(
            ctx,
            {
              organizationId: request.params.organization_id,
              programId: request.params.voucher_program_id,
              ...(request.body.codes ? { codes: request.body.codes } : {}),
              notifier: notifierFor(ctx, request.log),
            },
            work,
          ),
        ),
    );
  });
}
