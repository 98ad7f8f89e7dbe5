import type { AppContext } from '../../context.js';
import type { UnitOfWork } from '../../db/unit-of-work.js';
import { AppError, invalidRequest } from '../../lib/errors.js';
import { normalizeContact } from '../guests/guest.contact.js';
import type { PendingDelivery } from '../guests/distribution.js';
import { addGuestsIn } from '../guests/guest.service.js';
import type { Notifier } from '../guests/notifier.js';
import type { CreatedProgram } from '../programs/program.service.js';
import { createProgramFromTemplate, requireTemplate } from './template.service.js';
import type { CreateFromTemplateBody, IndividualProgramBody } from './template.schemas.js';

const DEFAULT_DAYS = 30;
const DAY_MS = 86_400_000;

/** The person's contact, checked before anything is written; errors name this endpoint's fields. */
function contactOf(body: IndividualProgramBody): { email?: string; phone?: string } {
  const email = body.email_address?.trim() || undefined;
  const phone = body.mobile_number?.trim() || undefined;
  if (!email && !phone) throw invalidRequest('individual_contact_required', undefined, 'email_address');
  try {
    normalizeContact({ ...(email ? { email } : {}), ...(phone ? { phone } : {}) }, 0);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const field = error.messageKey === 'invalid_phone' ? 'mobile_number' : 'email_address';
    throw invalidRequest('field_invalid', { field }, field);
  }
  return { ...(email ? { email } : {}), ...(phone ? { phone } : {}) };
}

/**
 * Create an individual voucher program (docs/compatibility.md): a program from the template whose
 * name the request repeats, through the create-from-template path, with the person added as its
 * guest (and notified, like add-guests, once committed). Everything is checked before the program
 * is created. One unit of work: the program (its codes, its created event) and the guest (its
 * distribution) commit together, with an Idempotency-Key's answer (docs/architecture.md, Transactions).
 */
export async function createIndividualProgram(
  ctx: AppContext,
  input: { organizationId: string; body: IndividualProgramBody; clientId: string | null; notifier: Notifier },
  work: UnitOfWork<CreatedProgram>,
): Promise<CreatedProgram> {
  const { body, organizationId } = input;
  const contact = contactOf(body);
  if (body.owner_type === 'ORGANIZATION' && body.owner_uuid !== undefined && body.owner_uuid !== organizationId) {
    throw invalidRequest('field_invalid', { field: 'owner_uuid' }, 'owner_uuid');
  }
  const template = await requireTemplate(ctx, organizationId, body.template_uuid);
  const templateName = template.name ?? template.campaign_name ?? template.template_name;
  if (body.name !== templateName) throw invalidRequest('individual_name_mismatch', undefined, 'name');

  const startsAt = body.starts_at ?? ctx.clock.now();
  const request: CreateFromTemplateBody = {
    template_id: template.id,
    name: body.name,
    starts_at: startsAt,
    ends_at: body.ends_at ?? Number(startsAt) + DEFAULT_DAYS * DAY_MS,
    ...(body.description !== undefined ? { description: body.description } : {}),
    ...(body.memo !== undefined ? { expense_memo: body.memo } : {}),
    ...(template.code_scheme === 'MULTI_CODE_SINGLE_REDEEM' ? { number_of_codes: 1 } : {}),
  };
  // The messages to send once the program and its guest are committed.
  let deliveries: PendingDelivery[] = [];
  const withGuest = work.followedBy(async (trx, created) => {
    deliveries = await addGuestsIn(ctx, trx, { organizationId, programId: created.voucher_program_id, body: { guests: [contact], send_notifications: true } });
  });
  const created = await createProgramFromTemplate(ctx, { organizationId, body: request, clientId: input.clientId }, withGuest);
  if (deliveries.length > 0) await input.notifier.send(deliveries);
  return created;
}
