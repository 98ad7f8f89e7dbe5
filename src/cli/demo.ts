import type { Config } from '../config.js';
import type { BootstrapResult } from '../modules/oauth/bootstrap.service.js';

type Environment = Config['environment'];

/** First line of every start banner: which environment this instance is (docs/sandbox.md). */
export function environmentBanner(environment: Environment): string {
  return environment === 'sandbox'
    ? 'voucherd environment: SANDBOX (test data only; trip simulation at POST /v1/sandbox/terminal-state-trip-run)'
    : 'voucherd environment: production';
}

const SANDBOX_HINT = `
Sandbox: claim a code as a test rider, then simulate a finished trip with
POST /v1/sandbox/terminal-state-trip-run (walk-through: README, "Sandbox mode").
`;

/** The ready-to-paste walk-through printed after the demo bootstrap (README has the same steps). */
export function demoInstructions(baseUrl: string, result: BootstrapResult, environment: Environment = 'production'): string {
  const org = result.organization_id;
  return `
${environmentBanner(environment)}
voucherd created a demo organization (shown once — the secrets are stored only as hashes):

  organization_id  ${org}
  admin            ${result.admin.email} / ${result.admin.password}
  client_id        ${result.client.client_id}
  client_secret    ${result.client.client_secret}

Console: open ${baseUrl}/console/ and sign in as ${result.admin.email} / ${result.admin.password}
${environment === 'sandbox' ? SANDBOX_HINT : ''}
Try it (paste into a shell):

export VOUCHERD=${baseUrl}
export ORG=${org}
export CLIENT_ID=${result.client.client_id}
export CLIENT_SECRET=${result.client.client_secret}

# 1. An access token (OAuth 2.0 client credentials)
export TOKEN=$(curl -s -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials -d scope=organizations.voucher_programs "$VOUCHERD/oauth/v2/token" | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')

# 2. A multi-code voucher program with 10 codes, starting now, for 30 days
NOW=$(($(date +%s) * 1000))
export PROGRAM=$(curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"name":"Demo rides","currency_code":"USD","starts_at":'$NOW',"ends_at":'$((NOW + 2592000000))',"code_scheme":"MULTI_CODE_SINGLE_REDEEM","number_of_codes":10,"value_per_trip_max_amount":25}' "$VOUCHERD/v1/organizations/$ORG/voucher-programs" | sed -E 's/.*"voucher_program_id":"([^"]+)".*/\\1/')

# 3. Generate Voucher Codes — the request from Uber's documentation
curl -d '{"number_of_codes":"50"}' \\
  -H "Authorization: Bearer $TOKEN" \\
  -H 'Accept-Language: en_US' \\
  -H 'Content-Type: application/json' \\
  "$VOUCHERD/v1/organizations/$ORG/voucher-programs/$PROGRAM/codes/generate"

# 4. List the codes (first 5)
curl -H "Authorization: Bearer $TOKEN" "$VOUCHERD/v1/organizations/$ORG/voucher-programs/$PROGRAM/codes?limit=5"
`;
}

export function noDemoInstructions(environment: Environment = 'production', baseUrl?: string): string {
  return `
${environmentBanner(environment)}${baseUrl ? `\nConsole: ${baseUrl}/console/ (sign in as an organization ADMIN)` : ''}
The database already has organizations, so no demo credentials were created. To make a new
organization with an admin and API credentials, run:

  npx voucherd bootstrap --org-name "My Org" --admin-email you@example.com
`;
}
