import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { invalidRequest } from '../../lib/errors.js';
import { errorResponses, toInteger } from '../../http/schema-types.js';
import { ProgramParams } from '../programs/program.schemas.js';
import { codeListingOf, listCodesPage, streamCodesCsv, streamCodesJson } from './code-listing.js';
import { ORG_SECURITY } from '../../http/openapi/security.js';
import {
  CancelCodesAnswer,
  CancelCodesBody,
  CodePage,
  GenerateBody,
  generateBodyDocumentation,
  GenerationParams,
  GenerationSummaryWire,
  GenerationWire,
  ListCodesQuery,
} from './codes.schemas.js';
import { generateVoucherCodes, getGeneration, type GenerationSummary } from './generation.service.js';
import { decodePageToken } from './page-token.js';
import { codeFilterFromQuery, codeFilterKey } from './code-filter.js';
import { cancelCodes, type CancelCodesResult } from './code-cancel.service.js';
import { answerInUnitOfWork } from '../idempotency/idempotent-answer.js';
import { Type } from '@sinclair/typebox';

const PROGRAM = '/v1/organizations/:organization_id/voucher-programs/:voucher_program_id';
const DEFAULT_PAGE = 1000;

function wantsCsv(accept: string | undefined): boolean {
  return /(^|,)\s*text\/csv\b/i.test(accept ?? '');
}

export async function codeRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;

  app.post<{ Params: ProgramParams; Body: GenerateBody }>(
    `${PROGRAM}/codes/generate`,
    {
      schema: {
        summary: 'Generate Voucher Codes',
        description:
          'Generates additional codes for a MULTI_CODE_SINGLE_REDEEM voucher program: 200 once they are committed, or 202 with Location while a background job generates them. 409 while another generation of the program runs.',
        operationId: 'generateVoucherCodes',
        security: ORG_SECURITY,
        tags: ['codes'],
        params: ProgramParams,
        body: GenerateBody,
        documentation: { body: generateBodyDocumentation(ctx.config.maxCodesPerRequest), responseHeaders: { 202: ['Location'] } },
        response: {
          200: { ...GenerationSummaryWire, description: 'The codes are committed' },
          202: { ...GenerationSummaryWire, description: 'A background job generates the codes; Location is its progress' },
          ...errorResponses(400, 401, 403, 404, 409, 413, 422, 429, 500),
        },
      },
    },
    async (request, reply) => {
      const count = toInteger(request.body.number_of_codes, 'number_of_codes', 1, ctx.config.maxCodesPerRequest);
      const { organization_id: org, voucher_program_id: program } = request.params;
      return answerInUnitOfWork<GenerationSummary>(
        ctx,
        request,
        reply,
        (work) => generateVoucherCodes(ctx, { organizationId: org, programId: program, count, clientId: request.principal?.clientId ?? null }, work),
        (summary) =>
          summary.status === 'IN_PROGRESS'
            ? // Background job: 202 and where to watch it (docs/programs.md).
              { status: 202, headers: { location: `/v1/organizations/${org}/voucher-programs/${program}/codes/generations/${summary.generation_id}` }, body: summary }
            : { status: 200, body: summary },
      );
    },
  );

  app.get<{ Params: ProgramParams; Querystring: ListCodesQuery }>(
    `${PROGRAM}/codes`,
    {
      schema: {
        summary: 'Get Voucher Codes',
        description:
          'All codes of a program, streamed (Uber parity), or one page with `limit` + `page_token`. `Accept: text/csv` streams every code as CSV (no paging). `status`, `generation_id` and `code` (X) narrow any of the three to the codes that match all of them; a page token only continues the list with the filters that issued it.',
        operationId: 'getVoucherCodes',
        security: ORG_SECURITY,
        tags: ['codes'],
        params: ProgramParams,
        querystring: ListCodesQuery,
        response: {
          200: {
            description: 'The codes: all of them, or one page',
            content: {
              'application/json': { schema: CodePage },
              'text/csv': {
                schema: Type.String({ description: 'A header row, then one line per code: code_id, code_text, redemption_link, max_num_redemptions, status, created_at, canceled_at, generation_id' }),
              },
            },
          },
          ...errorResponses(400, 401, 403, 404, 429, 500),
        },
      },
    },
    async (request, reply) => {
      const { include_usage: includeUsage = false, limit, page_token: pageToken } = request.query;
      const filter = codeFilterFromQuery(request.query);
      const afterId = pageToken !== undefined ? decodePageToken(pageToken, codeFilterKey(filter)) : undefined;
      if (limit !== undefined && limit > ctx.config.maxPageSize) {
        throw invalidRequest('field_range', { field: 'limit', min: 1, max: ctx.config.maxPageSize }, 'limit');
      }
      const input = await codeListingOf(ctx, {
        organizationId: request.params.organization_id,
        programId: request.params.voucher_program_id,
        includeUsage,
        filter,
      });
      if (wantsCsv(request.headers.accept)) {
        if (limit !== undefined || afterId !== undefined) throw invalidRequest('field_invalid', { field: 'limit' }, 'limit');
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="voucher-codes-${input.programId}.csv"`)
          .send(await streamCodesCsv(ctx, input));
      }
      if (limit === undefined && afterId === undefined) {
        return reply.type('application/json; charset=utf-8').send(await streamCodesJson(ctx, input));
      }
      return listCodesPage(ctx, { ...input, limit: limit ?? DEFAULT_PAGE, ...(afterId ? { afterId } : {}) });
    },
  );

  app.post<{ Params: ProgramParams; Body: CancelCodesBody }>(
    `${PROGRAM}/codes/cancel`,
    {
      schema: {
        summary: 'Cancel Voucher Codes',
        description: 'Cancels up to 10,000 codes in one set-based update; failures per code: not_found, already_canceled, already_redeemed.',
        operationId: 'cancelVoucherCodes',
        security: ORG_SECURITY,
        tags: ['codes'],
        params: ProgramParams,
        body: CancelCodesBody,
        response: { 200: CancelCodesAnswer, ...errorResponses(400, 401, 403, 404, 409, 413, 422, 500) },
      },
    },
    async (request, reply) =>
      answerInUnitOfWork<CancelCodesResult>(ctx, request, reply, (work) =>
        cancelCodes(ctx, { organizationId: request.params.organization_id, programId: request.params.voucher_program_id, codes: request.body.codes }, work),
      ),
  );

  app.get<{ Params: GenerationParams }>(
    `${PROGRAM}/codes/generations/:generation_id`,
    {
      schema: {
        summary: 'Get a code generation',
        description: 'Progress of one generation: requested, generated, status, timestamps.',
        operationId: 'getCodeGeneration',
        security: ORG_SECURITY,
        tags: ['codes'],
        params: GenerationParams,
        response: { 200: GenerationWire, ...errorResponses(401, 403, 404, 500) },
      },
    },
    async (request) => {
      const { organization_id: org, voucher_program_id: programId, generation_id: generationId } = request.params;
      return getGeneration(ctx, org, programId, generationId);
    },
  );
}
