import type { AppContext } from '../../context.js';
import type { UnitOfWork } from '../../db/unit-of-work.js';
import { AppError, invalidRequest } from '../../lib/errors.js';
import { translate, type Locale, type MessageKey } from '../../lib/i18n.js';
import { assertOrgAccess } from '../access/org-access.js';
import type { Principal } from '../oauth/token.service.js';
import { findUserByEmail } from '../orgs/org.repository.js';
import { findRunOfClient, insertRun, riderVoucherOrganizations } from './run.repository.js';
import type { RunInfo, RunResponse, TripRunBody } from './sandbox.schemas.js';

export const COMPLETED_STATE_TRIP = 'COMPLETED_STATE_TRIP';

/** Start a trip run's answer. */
export interface StartedRun {
  run_id: string;
  trip_id: string;
}
export const DEFAULT_PRODUCT = 'UBERX';

/** Of the organizations whose vouchers the rider holds, those the token may act for (the access policy). */
async function organizationsFor(ctx: AppContext, principal: Principal, userId: string): Promise<string[]> {
  const allowed: string[] = [];
  for (const organizationId of await riderVoucherOrganizations(ctx.database.db, userId)) {
    try {
      await assertOrgAccess(ctx, principal, organizationId);
      allowed.push(organizationId);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
    }
  }
  return allowed;
}

/**
 * Starts a simulated trip (docs/sandbox.md): validates the scenario, product and rider, records
 * which organizations' vouchers the caller may apply, and leaves the rest to the run job, due
 * SANDBOX_RUN_SECONDS from now. The run row is `work`'s transaction.
 */
export async function startTripRun(ctx: AppContext, principal: Principal, body: TripRunBody, work: UnitOfWork<StartedRun>): Promise<StartedRun> {
  if (body.scenario.id.toUpperCase() !== COMPLETED_STATE_TRIP) throw invalidRequest('sandbox_scenario_unsupported', undefined, 'scenario.id');
  const product = (body.product_type ?? DEFAULT_PRODUCT).toUpperCase();
  if (!ctx.config.sandboxRates[product]) {
    throw invalidRequest('sandbox_product_unknown', { product, products: Object.keys(ctx.config.sandboxRates).join(', ') }, 'product_type');
  }
  const user = await findUserByEmail(ctx.database.db, body.rider_info.identifier.email_address.trim().toLowerCase());
  if (!user) throw invalidRequest('sandbox_rider_unknown', undefined, 'rider_info.identifier.email_address');
  const organizationIds = await organizationsFor(ctx, principal, user.id);
  const now = ctx.clock.now();
  const run = { id: ctx.ids.next(), trip_id: ctx.ids.next() };
  return work.transaction(async (trx) => {
    await insertRun(trx, {
      ...run,
      client_id: principal.clientId,
      user_id: user.id,
      organization_ids: JSON.stringify(organizationIds),
      route: JSON.stringify({ pickup: body.pickup.point, dropoff: body.dropoff.point }),
      product_type: product,
      due_at: now + ctx.config.sandboxRunSeconds * 1000,
      created_at: now,
    });
    return { run_id: run.id, trip_id: run.trip_id };
  });
}

/** A run's state in Uber's shape; `message` is stored as a message key and localized here. */
export async function readTripRun(ctx: AppContext, principal: Principal, runId: string, locale: Locale): Promise<RunResponse> {
  const run = await findRunOfClient(ctx.database.db, runId, principal.clientId);
  if (!run) throw new AppError('not_found', 'sandbox_run_not_found');
  return {
    state: run.state,
    ...(run.message ? { message: translate(locale, run.message as MessageKey) } : {}),
    ...(run.run_info ? { run_info: JSON.parse(run.run_info) as RunInfo } : {}),
  };
}
