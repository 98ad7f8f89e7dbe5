import type { Kysely } from 'kysely';
import type { AppContext } from '../../context.js';
import { isUniqueViolation } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import type { UnitOfWork } from '../../db/unit-of-work.js';
import { AppError, invalidRequest } from '../../lib/errors.js';
import { findFirstCode } from '../codes/code.repository.js';
import { assertNoGenerationRunning } from '../codes/generation.guard.js';
import { decodePageToken, encodePageToken } from '../codes/page-token.js';
import { findProgram, type ProgramRow } from '../programs/program.repository.js';
import { programStatus } from '../programs/program.status.js';
import { requireProgram } from '../programs/program.service.js';
import { distributeInTransaction, type PendingDelivery } from './distribution.js';
import { normalizeContact, type GuestContact } from './guest.contact.js';
import { findGuestsByContact, insertGuests, listGuestPage, pickUnassignedCodes } from './guest.repository.js';
import type { AddGuestsBody } from './guest.schemas.js';
import { guestToWire } from './guest.view.js';
import type { Notifier } from './notifier.js';
import { chargeGuestNotifications } from './notification-budget.js';

/** Add Guests' answer: the guests as the request named them. */
export interface AddedGuests {
  guests: { email?: string; phone?: string }[];
}

const DEFAULT_GUEST_PAGE = 100;
const INCLUDED_GUESTS_MAX = 1000;

async function liveProgram(ctx: AppContext, db: Kysely<DB>, organizationId: string, programId: string): Promise<ProgramRow> {
  const program = await findProgram(db, organizationId, programId);
  if (!program) throw new AppError('not_found', 'program_not_found');
  const status = programStatus(program, ctx.clock.now());
  if (status === 'CANCELED') throw new AppError('invalid_request', 'program_canceled');
  if (status === 'COMPLETE') throw new AppError('invalid_request', 'program_complete');
  return program;
}

/**
 * A concurrent add-guests may commit the same guest (or, in theory, bind the same code) between our
 * read and our insert; the unique indexes refuse it and the whole attempt rolls back. Retrying
 * then sees the committed rows and skips them.
 */
async function retryOnUniqueViolation<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (i >= 3 || !isUniqueViolation(err)) throw err;
    }
  }
}

/** Request guests minus duplicates within the request and guests the program already has. */
function newGuests(requested: GuestContact[], existing: GuestContact[]): GuestContact[] {
  const seenEmail = new Set(existing.map((g) => g.email).filter((e): e is string => e !== null));
  const seenPhone = new Set(existing.map((g) => g.phone).filter((p): p is string => p !== null));
  const fresh: GuestContact[] = [];
  for (const guest of requested) {
    if ((guest.email && seenEmail.has(guest.email)) || (guest.phone && seenPhone.has(guest.phone))) continue;
    if (guest.email) seenEmail.add(guest.email);
    if (guest.phone) seenPhone.add(guest.phone);
    fresh.push(guest);
  }
  return fresh;
}

/**
 * Add Guests to Voucher Program (docs/programs.md, Uber's shape). Each new guest of a MULTI_CODE program
 * is bound to one unassigned code — all or none: too few codes → 400 and nothing is written. A
 * guest already in the program (same email or phone) is not added twice. With
 * `send_notifications` (default true) the new guests' codes are distributed in the same
 * transaction and the notifier is called after it commits.
 */
export async function addGuests(
  ctx: AppContext,
  input: { organizationId: string; programId: string; body: AddGuestsBody; notifier: Notifier },
  work: UnitOfWork<AddedGuests>,
): Promise<AddedGuests> {
  const answer = addedGuestsAnswer(input.body);
  // The messages to send once the guests are committed (the transaction's answer is `answer`).
  let deliveries: PendingDelivery[] = [];
  await retryOnUniqueViolation(() => work.transaction(async (trx) => {
    deliveries = await addGuestsIn(ctx, trx, input);
    return answer;
  }));
  if (deliveries.length > 0) await input.notifier.send(deliveries);
  return answer;
}

function addedGuestsAnswer(body: AddGuestsBody): AddedGuests {
  return {
    guests: body.guests.map((g) => ({
      ...(g.email !== undefined ? { email: g.email } : {}),
      ...(g.phone !== undefined ? { phone: g.phone } : {}),
    })),
  };
}

/**
 * Add Guests' writes in the caller's transaction `trx` (add-guests' own, or the individual-program
 * create's, which adds its person in the transaction that creates the program): the guest rows and,
 * with notifications, their distribution. Returns the messages to hand to the notifier once `trx`
 * has committed.
 */
export async function addGuestsIn(
  ctx: AppContext,
  trx: Kysely<DB>,
  input: { organizationId: string; programId: string; body: AddGuestsBody },
): Promise<PendingDelivery[]> {
  const requested = input.body.guests.map((g, i) => normalizeContact(g, i));
  const sendNotifications = input.body.send_notifications ?? true;
  const program = await liveProgram(ctx, trx, input.organizationId, input.programId);
  await assertNoGenerationRunning(ctx, trx, program.id);
  const existing = await findGuestsByContact(
    trx,
    program.id,
    requested.flatMap((g) => (g.email ? [g.email] : [])),
    requested.flatMap((g) => (g.phone ? [g.phone] : [])),
  );
  const fresh = newGuests(requested, existing);
  const multi = program.code_scheme === 'MULTI_CODE_SINGLE_REDEEM';
  const codes = multi
    ? await pickUnassignedCodes(ctx.database, trx, { organizationId: program.organization_id, programId: program.id, count: fresh.length })
    : [];
  if (multi && codes.length < fresh.length) {
    throw invalidRequest('not_enough_codes', { available: codes.length, requested: fresh.length }, 'guests');
  }
  const now = ctx.clock.now();
  const rows = fresh.map((guest, i) => ({
    id: ctx.ids.next(),
    program_id: program.id,
    organization_id: program.organization_id,
    email: guest.email,
    phone: guest.phone,
    code_id: multi ? codes[i]! : null,
    send_notifications: sendNotifications ? 1 : 0,
    created_at: now,
    distributed_at: null,
  }));
  await insertGuests(trx, rows);
  if (!sendNotifications || rows.length === 0) return [];
  const deliveries = await distributeInTransaction(ctx, trx, program, { guestIds: rows.map((r) => r.id) });
  await chargeGuestNotifications(ctx, trx, program.id, deliveries.length);
  return deliveries;
}

/**
 * Distribute codes (docs/programs.md): marks the codes held by guests (all undistributed ones, or only the
 * listed codes) as distributed, records `voucher_program_code_distributed` in the same transaction,
 * then hands the messages to the notifier. Already distributed guests are not messaged again.
 */
export async function distributeCodes(
  ctx: AppContext,
  input: { organizationId: string; programId: string; codes?: string[]; notifier: Notifier },
  work: UnitOfWork<{ number_of_codes_distributed: number }>,
): Promise<{ number_of_codes_distributed: number }> {
  // The messages to send once the distribution is committed.
  let deliveries: PendingDelivery[] = [];
  const answer = await work.transaction(async (trx) => {
    const program = await liveProgram(ctx, trx, input.organizationId, input.programId);
    await assertNoGenerationRunning(ctx, trx, program.id);
    const pending = await distributeInTransaction(ctx, trx, program, input.codes ? { codeIds: [...new Set(input.codes)] } : {});
    await chargeGuestNotifications(ctx, trx, program.id, pending.length);
    deliveries = pending;
    return { number_of_codes_distributed: pending.length };
  });
  if (deliveries.length > 0) await input.notifier.send(deliveries);
  return answer;
}

async function singleCodeOf(db: Kysely<DB>, program: ProgramRow) {
  if (program.code_scheme !== 'SINGLE_CODE_MULTI_REDEEM') return undefined;
  return findFirstCode(db, program.id);
}

/** Get Voucher Program Guest Info (docs/programs.md): `limit` + `page_token`; `next_token` (Uber) and `next_page_token` (ours). */
export async function listGuests(
  ctx: AppContext,
  input: { organizationId: string; programId: string; limit?: number; pageToken?: string },
) {
  const afterId = input.pageToken !== undefined ? decodePageToken(input.pageToken) : undefined;
  const program = await findProgram(ctx.database.db, input.organizationId, input.programId);
  if (!program) throw new AppError('not_found', 'program_not_found');
  const limit = input.limit ?? DEFAULT_GUEST_PAGE;
  const rows = await listGuestPage(ctx.database.db, {
    organizationId: program.organization_id,
    programId: program.id,
    limit: limit + 1,
    ...(afterId ? { afterId } : {}),
  });
  const page = rows.slice(0, limit);
  const single = await singleCodeOf(ctx.database.db, program);
  const next = rows.length > limit ? encodePageToken(page[page.length - 1]!.id) : undefined;
  return {
    guests: page.map((row) => guestToWire(row, ctx.config.publicUrl, single)),
    ...(next ? { next_token: next, next_page_token: next } : {}),
  };
}

/** `GET …/{id}?include_guests=true`: the program's first guests (page the rest with GET …/guests). */
export async function listGuestsForProgram(ctx: AppContext, organizationId: string, programId: string) {
  const program = await requireProgram(ctx, organizationId, programId);
  const rows = await listGuestPage(ctx.database.db, {
    organizationId: program.organization_id,
    programId: program.id,
    limit: INCLUDED_GUESTS_MAX,
  });
  const single = await singleCodeOf(ctx.database.db, program);
  return rows.map((row) => guestToWire(row, ctx.config.publicUrl, single));
}
