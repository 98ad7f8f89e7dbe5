import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { errorResponses } from '../../http/schema-types.js';
import { ORG_SECURITY, PUBLIC } from '../../http/openapi/security.js';
import { ProgramParams } from '../programs/program.schemas.js';
import { CodeExportParams, ExportLinkWire } from './export-link.schemas.js';
import { createExportLink, openExportLink } from './export-link.service.js';
import { NO_STORE } from '../../http/cache-headers.js';

/** Org-scoped: behind the same org access hook as Get Voucher Codes, without Idempotency-Key (app.ts). */
export async function exportLinkRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  app.post<{ Params: ProgramParams }>(
    '/v1/organizations/:organization_id/voucher-programs/:voucher_program_id/codes/export-links',
    {
      schema: {
        summary: 'Create a codes export link',
        description:
          'A one-use link, valid for 60 seconds, that downloads the codes CSV without a bearer token, so a browser can save it to disk as it streams (docs/programs.md, Export links).',
        operationId: 'createCodeExportLink',
        security: ORG_SECURITY,
        tags: ['codes'],
        params: ProgramParams,
        response: { 201: { ...ExportLinkWire, description: 'The link and when it expires' }, ...errorResponses(400, 401, 403, 404, 409, 422, 500) },
      },
    },
    async (request, reply) => {
      const link = await createExportLink(ctx, request.params.organization_id, request.params.voucher_program_id);
      return reply.status(201).send(link);
    },
  );
}

/** The link itself: no Authorization, the token is the credential. */
export async function codeExportRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  app.get<{ Params: CodeExportParams }>(
    '/v1/code-exports/:token',
    {
      schema: {
        summary: 'Download a codes export',
        description: "The program's codes CSV, once: an unknown, used or expired token is 404.",
        operationId: 'downloadCodeExport',
        security: PUBLIC,
        tags: ['codes'],
        params: CodeExportParams,
        response: {
          200: {
            description: 'The codes CSV, as an attachment',
            content: { 'text/csv': { schema: Type.String({ description: 'The same CSV as Get Voucher Codes with Accept: text/csv' }) } },
          },
          ...errorResponses(400, 404, 500),
        },
      },
    },
    async (request, reply) => {
      const { fileName, body } = await openExportLink(ctx, request.params.token);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${fileName}"`)
        .headers(NO_STORE)
        .header('referrer-policy', 'no-referrer')
        .send(body);
    },
  );
}
