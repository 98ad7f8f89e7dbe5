/**
 * Scopes of the Vouchers API and the one grant type each may be issued with (docs/oauth.md):
 * a scope is granted only with the grant type it belongs to.
 */
export const SCOPES = {
  voucherPrograms: 'organizations.voucher_programs',
  delegated: 'organizations.voucher_programs.delegated',
  aggregator: 'organizations.voucher_programs.aggregator',
  redeem: 'vouchers.redeem',
  /** Trip reporters: a first-party client's fare or order system records trips on vouchers. */
  trips: 'vouchers.trips',
} as const;

export type Scope = (typeof SCOPES)[keyof typeof SCOPES];
export type GrantType = 'client_credentials' | 'authorization_code' | 'refresh_token';

export const SCOPE_GRANT: Record<Scope, 'client_credentials' | 'authorization_code'> = {
  [SCOPES.voucherPrograms]: 'client_credentials',
  [SCOPES.delegated]: 'authorization_code',
  [SCOPES.aggregator]: 'client_credentials',
  [SCOPES.redeem]: 'authorization_code',
  [SCOPES.trips]: 'client_credentials',
};

export const ALL_SCOPES = Object.keys(SCOPE_GRANT) as Scope[];

export function isScope(value: string): value is Scope {
  return Object.prototype.hasOwnProperty.call(SCOPE_GRANT, value);
}

/** Splits an RFC 6749 §3.3 scope string (space-delimited, order irrelevant, duplicates folded). */
export function parseScope(value: string): string[] {
  return [...new Set(value.split(' ').filter((s) => s.length > 0))];
}
