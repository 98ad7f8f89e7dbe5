import { SCOPES } from '../../modules/oauth/scopes.js';

export type Requirement = Record<string, string[]>;

/**
 * Per-operation security requirements of the OpenAPI document (docs/oauth.md describes the
 * access policy itself). One OAuth 2.0 scheme, `oauth2`, carries both flows; each requirement
 * names the one scope that opens the operation, alternatives listed separately.
 */
export const ORG_SECURITY: Requirement[] = [
  { oauth2: [SCOPES.voucherPrograms] },
  { oauth2: [SCOPES.delegated] },
  { oauth2: [SCOPES.aggregator] },
];

/** The organization's own integrations (webhooks, authorized apps): its first-party clients and its ADMINs. */
export const ORG_SELF_SECURITY: Requirement[] = [{ oauth2: [SCOPES.voucherPrograms] }, { oauth2: [SCOPES.delegated] }];

/** Webhook endpoints belong to a client: its client_credentials token, first-party or aggregator. */
export const CLIENT_SECURITY: Requirement[] = [{ oauth2: [SCOPES.voucherPrograms] }, { oauth2: [SCOPES.aggregator] }];

/** A signed-in rider: authorization_code token with vouchers.redeem. */
export const RIDER_SECURITY: Requirement[] = [{ oauth2: [SCOPES.redeem] }];

/** A trusted trip reporter: client_credentials token with vouchers.trips. */
export const TRIP_REPORTER_SECURITY: Requirement[] = [{ oauth2: [SCOPES.trips] }];

/** Token, revocation and introspection: client authentication, HTTP Basic or in the form. */
export const CLIENT_AUTH_SECURITY: Requirement[] = [{ clientSecretBasic: [] }, {}];

/** Health, readiness, metadata and the browser pages: no token. */
export const PUBLIC: Requirement[] = [];
