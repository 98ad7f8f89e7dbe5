import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { orgCreateInput } from '../../http/create-input.js';
import { errorResponses } from '../../http/schema-types.js';
import { OrgParams } from '../programs/program.schemas.js';
import { createProgramFromTemplate, createTemplate, getTemplate, getTemplates, patchTemplate } from './template.service.js';
import { ORG_SECURITY } from '../../http/openapi/security.js';
import { CreatedProgram } from '../programs/program.schemas.js';
import { CreateFromTemplateBody, CreateTemplateBody, IndividualProgramBody, PatchTemplateBody, TemplateParams, TemplateWire } from './template.schemas.js';
import { createIndividualProgram } from './individual-program.service.js';
import { notifierFor } from '../guests/notifier.js';
import { templateToWire } from './template.view.js';
import { answerInUnitOfWork } from '../idempotency/idempotent-answer.js';
import type { CreatedProgram as CreatedProgramAnswer } from '../programs/program.service.js';

const TEMPLATES = '/v1/organizations/:organization_id/voucher-program-templates';

export async function templateRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;

  app.post<{ Params: OrgParams; Body: CreateTemplateBody }>(
    TEMPLATES,
    {
      schema: {
        summary: 'Create Voucher Template',
        description: 'A reusable set of program presets; programs are created from it with Create Voucher Program From Template.',
        operationId: 'createVoucherTemplate',
        security: ORG_SECURITY,
        tags: ['templates'],
        params: OrgParams,
        body: CreateTemplateBody,
        response: { 200: Type.Object({ uuid: Type.String() }), ...errorResponses(400, 401, 403, 409, 413, 422, 500) },
      },
    },
    async (request, reply) => answerInUnitOfWork<{ uuid: string }>(ctx, request, reply, (work) => createTemplate(ctx, orgCreateInput(request), work)),
  );

  app.get<{ Params: OrgParams }>(
    TEMPLATES,
    {
      schema: {
        summary: 'Get Voucher Templates',
        description: "The organization's templates.",
        operationId: 'getVoucherTemplates',
        security: ORG_SECURITY,
        tags: ['templates'],
        params: OrgParams,
        response: { 200: Type.Object({ voucher_program_templates: Type.Array(TemplateWire) }), ...errorResponses(401, 403, 500) },
      },
    },
    async (request) => ({
      voucher_program_templates: await getTemplates(ctx, request.params.organization_id),
    }),
  );

  app.get<{ Params: TemplateParams }>(
    `${TEMPLATES}/:template_id`,
    {
      schema: {
        summary: 'Get Voucher Template',
        description: 'One template with its presets.',
        operationId: 'getVoucherTemplate',
        security: ORG_SECURITY,
        tags: ['templates'],
        params: TemplateParams,
        response: { 200: TemplateWire, ...errorResponses(401, 403, 404, 500) },
      },
    },
    async (request) => getTemplate(ctx, request.params.organization_id, request.params.template_id),
  );

  app.patch<{ Params: TemplateParams; Body: PatchTemplateBody }>(
    `${TEMPLATES}/:template_id`,
    {
      schema: {
        summary: 'Update Voucher Template',
        description: 'Partial update of the presets; `is_disabled: true` retires the template.',
        operationId: 'updateVoucherTemplate',
        security: ORG_SECURITY,
        tags: ['templates'],
        params: TemplateParams,
        body: PatchTemplateBody,
        response: { 200: TemplateWire, ...errorResponses(400, 401, 403, 404, 413, 500) },
      },
    },
    async (request) =>
      patchTemplate(ctx, { organizationId: request.params.organization_id, templateId: request.params.template_id, body: request.body }),
  );

  app.post<{ Params: OrgParams; Body: CreateFromTemplateBody }>(
    '/v1/organizations/:organization_id/voucher-programs/create-from-template',
    {
      schema: {
        summary: 'Create Voucher Program From Template',
        description: "A program with the template's presets, the given window and any overrides.",
        operationId: 'createVoucherProgramFromTemplate',
        security: ORG_SECURITY,
        tags: ['templates'],
        params: OrgParams,
        body: CreateFromTemplateBody,
        response: { 200: CreatedProgram, ...errorResponses(400, 401, 403, 404, 409, 413, 422, 500) },
      },
    },
    async (request, reply) => answerInUnitOfWork<CreatedProgramAnswer>(ctx, request, reply, (work) => createProgramFromTemplate(ctx, orgCreateInput(request), work)),
  );

  app.post<{ Params: OrgParams; Body: IndividualProgramBody }>(
    '/v1/organizations/:organization_id/individual_voucher_program/create',
    {
      schema: {
        summary: 'Create Individual Voucher Program',
        description:
          'Deprecated at Uber, kept for the integrations that still call it: a program from a template for one person, who is added as its guest (docs/compatibility.md).',
        operationId: 'createIndividualVoucherProgram',
        deprecated: true,
        security: ORG_SECURITY,
        tags: ['templates'],
        params: OrgParams,
        body: IndividualProgramBody,
        response: { 200: CreatedProgram, ...errorResponses(400, 401, 403, 404, 409, 413, 422, 500) },
      },
    },
    async (request, reply) =>
      answerInUnitOfWork<CreatedProgramAnswer>(ctx, request, reply, (work) =>
        createIndividualProgram(ctx, { ...orgCreateInput(request), notifier: notifierFor(ctx, request.log) }, work),
      ),
  );
}
