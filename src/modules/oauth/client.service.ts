import type { AppContext } from '../../context.js';
import type { ClientKind } from '../../db/schema.js';
import { randomBytes } from '../../lib/random.js';
import { randomToken, sha256Hex } from '../../lib/secrets.js';
import { organizationExists } from '../orgs/org.repository.js';
import { OrgServiceError } from '../orgs/org.service.js';
import * as clients from './client.repository.js';
import { insertClient, type ClientRow } from './client.repository.js';
import { SCOPES, isScope, type Scope } from './scopes.js';

export interface CreatedClient {
  client_id: string;
  /** Shown once; only its SHA-256 is stored. */
  client_secret: string;
  kind: ClientKind;
  organization_id: string | null;
  name: string;
  scopes: string[];
  redirect_uris: string[];
}

/** Which scopes each kind of client may hold (docs/oauth.md). */
const KIND_SCOPES: Record<ClientKind, Scope[]> = {
  // vouchers.trips only for FIRST_PARTY: a trip reporter records trips of its own organization.
  FIRST_PARTY: [SCOPES.voucherPrograms, SCOPES.delegated, SCOPES.redeem, SCOPES.trips],
  THIRD_PARTY: [SCOPES.aggregator, SCOPES.redeem],
};

export const DEFAULT_SCOPES: Record<ClientKind, Scope[]> = {
  FIRST_PARTY: [SCOPES.voucherPrograms],
  THIRD_PARTY: [SCOPES.aggregator],
};

export interface ClientInput {
  kind: ClientKind;
  organizationId?: string;
  name?: string;
  scopes?: string[];
  redirectUris?: string[];
}

/**
 * The checks that need no database (kind, scopes, organization presence, redirect URIs): the CLI
 * runs them before it opens the database. Returns the scopes the client will hold.
 */
export function checkClientInput(input: ClientInput): Scope[] {
  const scopes = input.scopes && input.scopes.length > 0 ? [...new Set(input.scopes)] : DEFAULT_SCOPES[input.kind];
  for (const scope of scopes) {
    if (!isScope(scope)) throw new OrgServiceError(`Unknown scope: ${scope}`);
    if (!KIND_SCOPES[input.kind].includes(scope)) {
      throw new OrgServiceError(`A ${input.kind} client cannot hold the scope ${scope}.`);
    }
  }
  if (input.kind === 'FIRST_PARTY') {
    if (!input.organizationId) throw new OrgServiceError('A first-party client needs an organization (--org).');
  } else if (input.organizationId) {
    throw new OrgServiceError('A third-party client belongs to no organization.');
  }
  const redirectUris = input.redirectUris ?? [];
  for (const uri of redirectUris) {
    let parsed: URL;
    try {
      parsed = new URL(uri);
    } catch {
      throw new OrgServiceError(`Not an absolute URL: ${uri}`);
    }
    if (parsed.hash || uri.includes('#')) throw new OrgServiceError(`A redirect URI cannot have a fragment: ${uri}`);
    // RFC 9700 §4.1: http(s) or a private-use scheme of a native app (RFC 8252 §7.1); never script/data schemes.
    if (['javascript:', 'data:', 'vbscript:', 'file:', 'blob:'].includes(parsed.protocol)) {
      throw new OrgServiceError(`A redirect URI cannot use the scheme ${parsed.protocol} (${uri})`);
    }
    if (uri.length > 2000) throw new OrgServiceError('A redirect URI is limited to 2000 characters.');
  }
  return scopes as Scope[];
}

/** Validates a new client and draws its credentials; the caller stores `row` (maybe in its transaction). */
export function prepareClient(ctx: AppContext, input: ClientInput): { row: ClientRow; created: CreatedClient } {
  const scopes = checkClientInput(input);
  const redirectUris = input.redirectUris ?? [];
  // client_id: 128 random bits; client_secret: 256 random bits (RFC 6749 §2.3.1 §10.10).
  // Hex, never base64url: an id starting with '-' reads as an option on a command line
  // (`voucherd webhook add --client-id -x…` was refused as ambiguous — found as a flaky CLI test).
  const clientId = Buffer.from(randomBytes(ctx.random, 16)).toString('hex');
  const clientSecret = randomToken(ctx.random, 32);
  const name = input.name?.trim() || (input.kind === 'FIRST_PARTY' ? 'First-party client' : 'Third-party client');
  const organizationId = input.kind === 'FIRST_PARTY' ? input.organizationId! : null;
  const row: ClientRow = {
    client_id: clientId,
    secret_hash: sha256Hex(clientSecret),
    kind: input.kind,
    organization_id: organizationId,
    name,
    scopes: scopes.join(' '),
    redirect_uris: JSON.stringify(redirectUris),
    created_at: ctx.clock.now(),
    disabled_at: null,
    token_endpoint_auth_method: 'client_secret_basic',
  };
  const created: CreatedClient = {
    client_id: clientId,
    client_secret: clientSecret,
    kind: input.kind,
    organization_id: organizationId,
    name,
    scopes,
    redirect_uris: redirectUris,
  };
  return { row, created };
}

export async function createClient(ctx: AppContext, input: ClientInput): Promise<CreatedClient> {
  const { row, created } = prepareClient(ctx, input);
  if (row.organization_id !== null && !(await organizationExists(ctx.database.db, row.organization_id))) {
    throw new OrgServiceError(`No organization with id ${row.organization_id}.`);
  }
  await insertClient(ctx.database.db, row);
  return created;
}

export async function clientExists(ctx: AppContext, clientId: string): Promise<boolean> {
  return (await clients.findClient(ctx.database.db, clientId)) !== undefined;
}

export async function findClient(ctx: AppContext, clientId: string): Promise<ClientRow | undefined> {
  return clients.findClient(ctx.database.db, clientId);
}
