import type { FastifyRequest } from 'fastify';
import { AppError } from '../../lib/errors.js';

/**
 * For routes where the organization manages its own integrations (docs/webhooks.md, Organization
 * endpoints; docs/oauth.md, Authorized apps): after the org access hook, only its ADMINs
 * (delegated token) and its own first-party clients pass; an authorized aggregator may not see or
 * change the organization's webhooks or the list of apps it authorized.
 */
export async function orgSelfOnlyHook(request: FastifyRequest): Promise<void> {
  if (request.accessPath !== 'first_party' && request.accessPath !== 'delegated') throw new AppError('forbidden', 'org_admin_only');
}
