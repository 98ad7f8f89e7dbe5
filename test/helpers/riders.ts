import { SCOPES } from '../../src/modules/oauth/scopes.js';
import { createClient, type CreatedClient } from '../../src/modules/oauth/client.service.js';
import { createUser } from '../../src/modules/orgs/org.service.js';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../src/context.js';
import type { Harness } from './harness.js';
import { httpTransport, PASSWORD, REDIRECT, tokenThroughPages, transportOf, type Transport } from './oauth-flow.js';

export interface Rider {
  userId: string;
  email: string;
  token: string;
}

/**
 * Where riders sign in, with a context on the same database to create the accounts in: in process
 * (the Harness, or any built app: app.inject), or a spawned `voucherd serve` by its base URL (real
 * HTTP, cookies carried by hand).
 */
export type RiderService = { ctx: AppContext; app: FastifyInstance } | { ctx: AppContext; url: string };

let riderCounter = 0;

/**
 * A rider app: a THIRD_PARTY client holding `vouchers.redeem`, bound to no organization (or a
 * FIRST_PARTY one of `organizationId`), with the redirect URI the page flow uses.
 */
export async function createRiderApp(ctx: AppContext, organizationId?: string): Promise<CreatedClient> {
  return createClient(ctx, {
    kind: organizationId ? 'FIRST_PARTY' : 'THIRD_PARTY',
    ...(organizationId ? { organizationId } : {}),
    name: 'Rider app',
    scopes: [SCOPES.redeem],
    redirectUris: [REDIRECT],
  });
}

function transportFor(service: RiderService): Transport {
  return 'app' in service ? transportOf(service) : httpTransport(service.url);
}

/**
 * A new rider account and its token for `app`, always from the real authorization-code flow: the
 * sign-in page, the consent page, the code, and the PKCE exchange at POST /oauth/v2/token
 * (test/helpers/oauth-flow.ts, tokenThroughPages). One password check (scrypt) per rider.
 */
export async function createRider(service: RiderService, app: CreatedClient): Promise<Rider> {
  riderCounter += 1;
  const email = `rider${riderCounter}-${process.pid}-${service.ctx.ids.next().slice(-8)}@example.com`;
  const user = await createUser(service.ctx, { email, password: PASSWORD });
  return { userId: user.user_id, email, token: await tokenThroughPages(transportFor(service), app, email, SCOPES.redeem) };
}

/**
 * `n` riders of `app`, four sign-ins at a time: scrypt is deliberately slow, the machine is shared,
 * and four is what one address may have checked at once (LOGIN_CONCURRENT_PER_ADDRESS).
 */
export async function createRiders(service: RiderService, app: CreatedClient, n: number): Promise<Rider[]> {
  const riders: Rider[] = [];
  for (let i = 0; i < n; i += 4) riders.push(...(await Promise.all(Array.from({ length: Math.min(4, n - i) }, () => createRider(service, app)))));
  return riders;
}

/**
 * A trusted trip reporter of `organizationId`: a FIRST_PARTY client holding `vouchers.trips` and
 * its client_credentials token from the real token endpoint. Trips are recorded with it, never
 * with a rider token.
 */
export async function createTripReporter(h: Harness, organizationId: string): Promise<{ clientId: string; token: string }> {
  const client = await createClient(h.ctx, { kind: 'FIRST_PARTY', organizationId, name: 'Fare system', scopes: [SCOPES.trips] });
  return { clientId: client.client_id, token: await h.token(client.client_id, client.client_secret, SCOPES.trips) };
}
