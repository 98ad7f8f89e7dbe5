import { SCOPES } from '../../src/modules/oauth/scopes.js';
import { createClient } from '../../src/modules/oauth/client.service.js';
import { issueAccessToken } from '../../src/modules/oauth/token.service.js';
import { createUser } from '../../src/modules/orgs/org.service.js';
import type { AppContext } from '../../src/context.js';
import type { Harness } from './harness.js';
import { PASSWORD, REDIRECT, tokenThroughPages } from './oauth-flow.js';

export interface Rider {
  userId: string;
  token: string;
}

let riderCounter = 0;

/**
 * A rider app (THIRD_PARTY client holding `vouchers.redeem`, bound to no organization). Rider
 * tokens here come from the real token service with the authorization_code grant, without the
 * browser steps; tests of the flow itself go through it end to end (test/helpers/oauth-flow.ts).
 */
export async function createRiderApp(ctx: AppContext, organizationId?: string): Promise<string> {
  const client = await createClient(ctx, {
    kind: organizationId ? 'FIRST_PARTY' : 'THIRD_PARTY',
    ...(organizationId ? { organizationId } : {}),
    name: 'Rider app',
    scopes: [SCOPES.redeem],
    redirectUris: ['https://rider.example/callback'],
  });
  return client.client_id;
}

export async function riderToken(ctx: AppContext, clientId: string, userId: string): Promise<string> {
  const issued = await issueAccessToken(ctx, { clientId, grantType: 'authorization_code', scopes: [SCOPES.redeem], userId });
  return issued.access_token;
}

export async function createRider(ctx: AppContext, clientId: string): Promise<Rider> {
  riderCounter += 1;
  const user = await createUser(ctx, { email: `rider${riderCounter}-${process.pid}-${ctx.ids.next().slice(-8)}@example.com`, password: 'rider password 123' });
  return { userId: user.user_id, token: await riderToken(ctx, clientId, user.user_id) };
}

export async function createRiders(ctx: AppContext, clientId: string, n: number): Promise<Rider[]> {
  const riders: Rider[] = [];
  // A few at a time: scrypt is deliberately slow and the machine is shared.
  for (let i = 0; i < n; i += 4) riders.push(...(await Promise.all(Array.from({ length: Math.min(4, n - i) }, () => createRider(ctx, clientId)))));
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

/**
 * Riders whose tokens come from the real flow end to end: a third-party rider app, and for each
 * rider the sign-in and consent pages and the PKCE code exchange (test/helpers/oauth-flow.ts).
 */
export async function createRidersThroughPages(h: Harness, n: number): Promise<Rider[]> {
  const app = await createClient(h.ctx, { kind: 'THIRD_PARTY', name: 'Rider app', scopes: [SCOPES.redeem], redirectUris: [REDIRECT] });
  const riders: Rider[] = [];
  for (let i = 0; i < n; i += 1) {
    riderCounter += 1;
    const email = `page-rider${riderCounter}-${process.pid}-${h.ctx.ids.next().slice(-8)}@example.com`;
    const user = await createUser(h.ctx, { email, password: PASSWORD });
    riders.push({ userId: user.user_id, token: await tokenThroughPages(h, app, email, SCOPES.redeem) });
  }
  return riders;
}
