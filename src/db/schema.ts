import type { ColumnType, Generated } from 'kysely';

/** Row types of the storage layer. They never leave the services (docs/architecture.md, Layers). */

export interface OrganizationsTable {
  id: string;
  name: string;
  created_at: number;
}

export interface UsersTable {
  id: string;
  email: string;
  password_hash: string;
  created_at: number;
}

export type MembershipRole = 'ADMIN' | 'MEMBER';

export interface MembershipsTable {
  organization_id: string;
  user_id: string;
  role: MembershipRole;
  created_at: number;
}

export type ClientKind = 'FIRST_PARTY' | 'THIRD_PARTY';

export interface OauthClientsTable {
  client_id: string;
  secret_hash: string;
  kind: ClientKind;
  organization_id: string | null;
  name: string;
  /** Space-separated allowed scopes. */
  scopes: string;
  /** JSON array of registered redirect URIs. */
  redirect_uris: string;
  created_at: number;
  disabled_at: number | null;
  /**
   * `client_secret_basic`: a confidential client (Basic or client_secret_post); `none`: a public
   * client (a browser app) that presents only its client_id and PKCE (docs/oauth.md, Public clients).
   */
  token_endpoint_auth_method: TokenEndpointAuthMethod;
}

export type TokenEndpointAuthMethod = 'client_secret_basic' | 'none';

export interface OauthTokensTable {
  id: string;
  token_hash: string;
  client_id: string;
  user_id: string | null;
  grant_type: string;
  scope: string;
  expires_at: number;
  revoked_at: number | null;
  created_at: number;
  /** Tokens issued from one authorization code and its refreshes share a family (0003). */
  family_id?: string | null;
}

/** A single-use authorization code (RFC 6749 §4.1.2, PKCE RFC 7636), stored as its SHA-256. */
export interface OauthCodesTable {
  id: string;
  code_hash: string;
  client_id: string;
  user_id: string;
  redirect_uri: string;
  scope: string;
  code_challenge: string;
  expires_at: number;
  consumed_at: number | null;
  created_at: number;
}

/** A refresh token (RFC 6749 §6), rotated on use; `family_id` is the authorization code's id. */
export interface OauthRefreshTokensTable {
  id: string;
  token_hash: string;
  family_id: string;
  client_id: string;
  user_id: string;
  scope: string;
  expires_at: number;
  used_at: number | null;
  revoked_at: number | null;
  created_at: number;
}

/** A signed-in browser session of the login page; the cookie value is stored only as its hash. */
export interface OauthSessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  expires_at: number;
  created_at: number;
}

/** Fixed-window rate-limit counter shared by all server processes. */
export interface RateLimitCountersTable {
  bucket: string;
  window_start: number;
  count: number;
}

/**
 * The columns a template presets for the programs made from it, stored the same way in both tables
 * (the money columns differ: integer minor units in a program, decimal text in a template).
 */
export interface ProgramPresetColumns {
  value_per_trip_percentage: number | null;
  value_per_period_max_trips: number | null;
  value_recurrence_period: string | null;
  trip_restriction_type: string | null;
  /** JSON arrays. */
  pickup_locations: string | null;
  dropoff_locations: string | null;
  vehicle_category_types: string | null;
  expense_memo: string | null;
}

export interface VoucherProgramsTable extends ProgramPresetColumns {
  id: string;
  organization_id: string;
  name: string;
  description: string | null;
  currency_code: string;
  timezone: string;
  starts_at: number;
  ends_at: number;
  created_at: number;
  updated_at: number;
  code_scheme: string;
  redemptions_per_code: number;
  voucher_type: string;
  /** Money columns hold integer minor units of `currency_code`. */
  value_per_trip_max_amount: number | null;
  value_per_trip_deductible: number | null;
  value_per_period_max_credit: number | null;
  canceled_at: number | null;
  total_number_of_codes: Generated<number>;
  usage_trip_count: Generated<number>;
  usage_voucher_claim_count: Generated<number>;
  usage_amount: Generated<number>;
  created_by_client_id: string | null;
  /** (X) Code format: prefix (alphabet symbols, may be empty) and random symbols per code. */
  code_prefix: ColumnType<string, string | undefined, string>;
  code_length: ColumnType<number, number | undefined, number>;
  /** The owner's contact (may be empty); minor units per recurrence period, summed over trips. */
  creator_email: ColumnType<string | null, string | null | undefined, string | null>;
  value_per_period_max_amount: ColumnType<number | null, number | null | undefined, number | null>;
}

export type GenerationStatus = 'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED';

export interface CodeGenerationsTable {
  id: string;
  program_id: string;
  organization_id: string;
  requested: number;
  generated: Generated<number>;
  status: GenerationStatus;
  lease_expires_at: number;
  created_at: number;
  finished_at: number | null;
  client_id: string | null;
  /** INLINE: committed before the response; BACKGROUND: a resumable job (docs/programs.md). */
  mode: ColumnType<GenerationMode, GenerationMode | undefined, GenerationMode>;
  /** The process running a background job; its lease is lease_expires_at. */
  lease_holder: ColumnType<string | null, string | null | undefined, string | null>;
}

export type GenerationMode = 'INLINE' | 'BACKGROUND';

export interface VoucherCodesTable {
  id: string;
  program_id: string;
  organization_id: string;
  generation_id: string | null;
  code_text: string;
  max_num_redemptions: number;
  redemption_count: Generated<number>;
  usage_count: Generated<number>;
  usage_amount: Generated<number>;
  canceled_at: number | null;
  created_at: number;
}

/** An organization's approval of a third-party (aggregator) client (docs/oauth.md, Organization authorization). */
export interface OrganizationAuthorizationsTable {
  id: string;
  organization_id: string;
  client_id: string;
  scope: string;
  approved_by_user_id: string | null;
  created_at: number;
  revoked_at: number | null;
}

/** A simulated trip of sandbox mode (docs/sandbox.md), completed by a background job. */
export interface SandboxRunsTable {
  id: string;
  trip_id: string;
  client_id: string;
  user_id: string;
  organization_ids: string;
  route: string;
  product_type: string;
  state: Generated<'RUNNING' | 'COMPLETED' | 'FAILED'>;
  due_at: number;
  attempts: Generated<number>;
  lease_holder: string | null;
  lease_expires_at: number | null;
  run_info: string | null;
  message: string | null;
  created_at: number;
  finished_at: number | null;
}

export interface JobLeasesTable {
  name: string;
  holder: string;
  expires_at: number;
}

export interface OutboxEventsTable {
  id: string;
  event_type: string;
  organization_id: string;
  voucher_program_id: string | null;
  /** JSON: the event's counters and details; the dispatcher adds the webhook envelope. */
  payload: string;
  created_at: number;
  dispatched_at: number | null;
}

/** A rider's claim of a code (docs/redemption.md): at most one per (program, rider). */
export interface VouchersTable {
  id: string;
  program_id: string;
  organization_id: string;
  code_id: string;
  user_id: string;
  client_id: string;
  usage_trip_count: Generated<number>;
  usage_amount: Generated<number>;
  created_at: number;
  updated_at: number;
}

export interface VoucherProgramTemplatesTable extends ProgramPresetColumns {
  id: string;
  organization_id: string;
  template_name: string;
  campaign_name: string | null;
  description: string | null;
  timezone: string | null;
  currency_code: string | null;
  /** 0/1 on both engines. */
  is_fully_covered: number;
  code_scheme: string | null;
  redemptions_per_code: number | null;
  voucher_type: string | null;
  /** Money as decimal text (the currency may come from the program). */
  value_per_trip_max_amount: string | null;
  value_per_trip_deductible: string | null;
  value_per_period_max_credit: string | null;
  is_disabled: number;
  creator_client_id: string | null;
  created_at: number;
  updated_at: number;
  creator_email: ColumnType<string | null, string | null | undefined, string | null>;
  /** Name given to programs created from the template. */
  name: ColumnType<string | null, string | null | undefined, string | null>;
  value_per_period_max_amount: ColumnType<string | null, string | null | undefined, string | null>;
}

/** A trip a voucher was applied to (docs/redemption.md usage, X); amounts in minor units. */
export interface VoucherTripsTable {
  id: string;
  voucher_id: string;
  program_id: string;
  trip_id: string;
  /** The value-rule period the trip fell in (program timezone): `SINGLE`, `YYYY-MM-DD` or `YYYY-MM`. */
  period_key: string;
  currency_code: string;
  fare_amount: number;
  covered_amount: number;
  rider_amount: number;
  /** 1 when the trip used one of the period's trips (covered > 0). */
  counted: number;
  remaining_trips: number | null;
  remaining_credit: number | null;
  created_at: number;
}

/** One failed claim in a budget bucket (`client:…`, `rider:…`, `program:…`). */
export interface ClaimFailuresTable {
  id: string;
  bucket: string;
  created_at: number;
}

export interface ProgramGuestsTable {
  id: string;
  program_id: string;
  organization_id: string;
  email: string | null;
  phone: string | null;
  code_id: string | null;
  send_notifications: number;
  created_at: number;
  distributed_at: number | null;
}

export interface ProgramStatusTransitionsTable {
  program_id: string;
  status: 'ACTIVE' | 'COMPLETE';
  organization_id: string;
  recorded_at: number;
}

export type WebhookEndpointStatus = 'ENABLED' | 'DISABLED';

export interface WebhookEndpointsTable {
  id: string;
  client_id: string;
  url: string;
  /** JSON array of event types; null = every event. */
  event_types: string | null;
  description: string | null;
  signing_key: string;
  previous_signing_key: string | null;
  previous_key_expires_at: number | null;
  status: WebhookEndpointStatus;
  disabled_reason: string | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export type DeliveryStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';

export interface WebhookDeliveriesTable {
  id: string;
  event_id: string;
  endpoint_id: string;
  client_id: string;
  organization_id: string;
  event_type: string;
  /** The exact JSON bytes sent (and signed) on every attempt. */
  body: string;
  status: DeliveryStatus;
  attempts: Generated<number>;
  next_attempt_at: number;
  lease_holder: string | null;
  lease_expires_at: number | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

export interface WebhookDeliveryAttemptsTable {
  id: string;
  delivery_id: string;
  attempt: number;
  started_at: number;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
  response_excerpt: string | null;
}

export interface IdempotencyKeysTable {
  id: string;
  principal: string;
  organization_id: string;
  method: string;
  path: string;
  idempotency_key: string;
  request_hash: string;
  status: 'IN_PROGRESS' | 'COMPLETED';
  locked_until: number;
  response_status: number | null;
  response_headers: string | null;
  response_body: string | null;
  created_at: number;
  expires_at: number;
}

/** Claim counter shards (0009): a program's claim count is its column plus the sum of its shards. */
export interface ProgramClaimShardsTable {
  program_id: string;
  shard: number;
  claims: number;
}

/** One-use download link for a program's codes CSV: the token's SHA-256 only. */
export interface CodeExportLinksTable {
  token_hash: string;
  organization_id: string;
  program_id: string;
  expires_at: number;
  used_at: number | null;
  created_at: number;
}

export interface DB {
  code_export_links: CodeExportLinksTable;
  program_claim_shards: ProgramClaimShardsTable;
  vouchers: VouchersTable;
  voucher_trips: VoucherTripsTable;
  claim_failures: ClaimFailuresTable;
  voucher_program_templates: VoucherProgramTemplatesTable;
  program_guests: ProgramGuestsTable;
  program_status_transitions: ProgramStatusTransitionsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_delivery_attempts: WebhookDeliveryAttemptsTable;
  idempotency_keys: IdempotencyKeysTable;
  job_leases: JobLeasesTable;
  sandbox_runs: SandboxRunsTable;
  outbox_events: OutboxEventsTable;
  organization_authorizations: OrganizationAuthorizationsTable;
  organizations: OrganizationsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  oauth_clients: OauthClientsTable;
  oauth_tokens: OauthTokensTable;
  oauth_codes: OauthCodesTable;
  oauth_refresh_tokens: OauthRefreshTokensTable;
  oauth_sessions: OauthSessionsTable;
  rate_limit_counters: RateLimitCountersTable;
  voucher_programs: VoucherProgramsTable;
  code_generations: CodeGenerationsTable;
  voucher_codes: VoucherCodesTable;
}
