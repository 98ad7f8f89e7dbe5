import type { Insertable } from 'kysely';
import type { AppContext } from '../../context.js';
import type { UnitOfWork } from '../../db/unit-of-work.js';
import type { VoucherProgramTemplatesTable } from '../../db/schema.js';
import { optionalInteger } from '../../http/schema-types.js';
import { AppError, invalidRequest } from '../../lib/errors.js';
import { isCurrency, toMinorUnits } from '../../lib/money.js';
import { isTimeZone } from '../../lib/timezones.js';
import { createProgram } from '../codes/program-create.service.js';
import type { CreatedProgram } from '../programs/program.service.js';
import type { CreateProgramBody } from '../programs/program.schemas.js';
import { findTemplate, insertTemplate, listTemplates, updateTemplate, type TemplateRow } from './template.repository.js';
import type { CreateFromTemplateBody, CreateTemplateBody, PatchTemplateBody } from './template.schemas.js';
import { fieldsToColumns, rowToFields } from '../programs/program.fields.js';
import { templateMoney } from './template.money.js';
import { isEmail } from '../../lib/email.js';
import { templateToWire, type TemplateView } from './template.view.js';

const MONEY = ['value_per_trip_max_amount', 'value_per_trip_deductible', 'value_per_period_max_credit', 'value_per_period_max_amount'] as const;
const LIST_MAX = 1000;

type TemplateFields = Partial<CreateTemplateBody> & { is_disabled?: boolean };

/** The template rules that hold without a program: valid currency/timezone, value combinations. */
function checkTemplate(merged: TemplateFields): void {
  if (merged.currency_code !== undefined && !isCurrency(merged.currency_code)) throw invalidRequest('invalid_currency', undefined, 'currency_code');
  if (merged.timezone !== undefined && !isTimeZone(merged.timezone)) throw invalidRequest('invalid_timezone', undefined, 'timezone');
  const email = merged.creator_email?.trim();
  if (email && !isEmail(email)) throw invalidRequest('invalid_creator_email', undefined, 'creator_email');
  optionalInteger(merged.value_per_trip_percentage, 'value_per_trip_percentage', 5, 99);
  optionalInteger(merged.value_per_period_max_trips, 'value_per_period_max_trips', 1, 1_000_000);
  optionalInteger(merged.redemptions_per_code, 'redemptions_per_code', 1, 1_000_000);
  if (merged.value_per_trip_percentage !== undefined && merged.value_per_trip_deductible !== undefined) {
    throw invalidRequest('percentage_with_deductible', undefined, 'value_per_trip_percentage');
  }
  if (merged.is_fully_covered && (merged.value_per_trip_deductible !== undefined || merged.value_per_trip_percentage !== undefined)) {
    throw invalidRequest('fully_covered_conflict', undefined, 'is_fully_covered');
  }
  for (const field of MONEY) {
    const value = merged[field];
    if (value === undefined) continue;
    if (merged.currency_code !== undefined && toMinorUnits(value, merged.currency_code) === undefined) {
      throw invalidRequest('amount_precision', { field, currency: merged.currency_code }, field);
    }
  }
}

/** Request form → template columns (the field table of program.fields.ts). */
function toColumns(fields: TemplateFields) {
  return fieldsToColumns(fields, 'template', templateMoney) as Omit<Insertable<VoucherProgramTemplatesTable>, 'id' | 'organization_id' | 'creator_client_id' | 'created_at' | 'updated_at'>;
}

/** A stored template back in request form (for merging a PATCH or a create-from-template). */
function toFields(row: TemplateRow): TemplateFields {
  return rowToFields(row, 'template', templateMoney) as TemplateFields;
}

export async function createTemplate(
  ctx: AppContext,
  input: { organizationId: string; body: CreateTemplateBody; clientId: string | null },
  work: UnitOfWork<{ uuid: string }>,
): Promise<{ uuid: string }> {
  checkTemplate(input.body);
  const id = ctx.ids.next();
  const now = ctx.clock.now();
  return work.transaction(async (trx) => {
    await insertTemplate(trx, {
      ...toColumns(input.body),
      id,
      organization_id: input.organizationId,
      creator_client_id: input.clientId,
      created_at: now,
      updated_at: now,
    });
    return { uuid: id };
  });
}

/** The stored template, for the services that build on it (routes get the wire view from getTemplate). */
export async function requireTemplate(ctx: AppContext, organizationId: string, templateId: string): Promise<TemplateRow> {
  const row = await findTemplate(ctx.database.db, organizationId, templateId);
  if (!row) throw new AppError('not_found', 'template_not_found');
  return row;
}

export async function getTemplate(ctx: AppContext, organizationId: string, templateId: string): Promise<TemplateView> {
  return templateToWire(await requireTemplate(ctx, organizationId, templateId));
}

export async function getTemplates(ctx: AppContext, organizationId: string): Promise<TemplateView[]> {
  return (await listTemplates(ctx.database.db, organizationId, LIST_MAX)).map(templateToWire);
}

/** Update Voucher Template: merged over the stored template and re-checked as a whole. */
export async function patchTemplate(
  ctx: AppContext,
  input: { organizationId: string; templateId: string; body: PatchTemplateBody },
): Promise<TemplateView> {
  const updated = await ctx.database.db.transaction().execute(async (trx) => {
    const row = await findTemplate(trx, input.organizationId, input.templateId);
    if (!row) throw new AppError('not_found', 'template_not_found');
    const merged = { ...toFields(row), ...input.body };
    checkTemplate(merged);
    await updateTemplate(trx, input.organizationId, input.templateId, { ...toColumns(merged), updated_at: ctx.clock.now() });
    return (await findTemplate(trx, input.organizationId, input.templateId))!;
  });
  return templateToWire(updated);
}

/**
 * Create Voucher Program From Template: the template's presets, overridden by the request, become
 * an ordinary create body and go through the same rules and path as Create (docs/programs.md).
 * Defaults as Uber: the program name is the template's campaign name, the scheme SINGLE_CODE.
 */
export async function createProgramFromTemplate(
  ctx: AppContext,
  input: { organizationId: string; body: CreateFromTemplateBody; clientId: string | null },
  work: UnitOfWork<CreatedProgram>,
): Promise<CreatedProgram> {
  const template = await requireTemplate(ctx, input.organizationId, input.body.template_id);
  if (Number(template.is_disabled) === 1) throw invalidRequest('template_disabled', undefined, 'template_id');
  const { template_name, campaign_name, name, is_fully_covered: _c, is_disabled: _d, ...presets } = toFields(template);
  const { template_id: _t, ...overrides } = input.body;
  const merged = { ...presets, ...overrides } as Record<string, unknown>;
  if (merged.currency_code === undefined) throw invalidRequest('template_currency_required', undefined, 'currency_code');
  merged.name ??= name ?? campaign_name ?? template_name;
  merged.code_scheme ??= 'SINGLE_CODE_MULTI_REDEEM';
  return createProgram(ctx, { organizationId: input.organizationId, body: merged as CreateProgramBody, clientId: input.clientId }, work);
}
