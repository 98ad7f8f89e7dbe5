import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createContext, type AppContext } from './context.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { startServer } from './server.js';
import { bootstrap } from './modules/oauth/bootstrap.service.js';
import { createOrganization, createUser, OrgServiceError } from './modules/orgs/org.service.js';
import { createClient } from './modules/oauth/client.service.js';
import { disableClient } from './modules/oauth/client-disable.service.js';
import { findClient } from './modules/oauth/client.service.js';
import { AppError } from './lib/errors.js';
import { translate } from './lib/i18n.js';
import { createEndpoint, deleteEndpoint, listClientEndpoints, rotateSigningKey } from './modules/webhooks/endpoint.service.js';
import { organizationAuthorizations } from './modules/business/business.service.js';
import { organizationExists } from './modules/orgs/org.service.js';
import { describeStartupError } from './cli/startup-errors.js';
import { SecretsKeyError } from './lib/secret-keys.js';
import { SecretBoxError } from './lib/secret-box.js';
import { resealAll } from './modules/secrets/reseal.service.js';

/** `voucherd` — every command has --help; --json prints exactly one JSON object on stdout. */

class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | string[] | undefined>;

interface Command {
  usage: string;
  summary: string;
  options: Options;
  run(values: Values): Promise<void>;
}

const JSON_OPTION: Options = { json: { type: 'boolean' } };
const out = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

async function withContext<T>(fn: (ctx: AppContext, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = openDatabase(config.databaseUrl, { preparedStatements: config.databasePreparedStatements });
  try {
    await migrateToLatest(database);
    return await fn(createContext(config, database), config);
  } finally {
    await database.close();
  }
}

function required(values: Values, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} is required`);
  return value;
}

function optional(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

async function assertClient(ctx: AppContext, clientId: string): Promise<void> {
  if (!(await findClient(ctx, clientId))) throw new UsageError(`Unknown client: ${clientId}`);
}

function print(values: Values, object: unknown, human: string): void {
  out(values.json ? JSON.stringify(object) : human);
}

const COMMANDS: Record<string, Command> = {
  serve: {
    usage: 'voucherd serve',
    summary: 'Run the HTTP service (migrates first; on an empty database creates demo credentials and prints them).',
    options: {},
    async run() {
      const config = loadConfig();
      const server = await startServer(config);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        server.app.log.info({ signal }, 'shutting down: finishing in-flight requests');
        // Never hang forever: past the timeout, exit with an error code.
        setTimeout(() => {
          server.app.log.error('shutdown timed out; exiting');
          process.exit(1);
        }, config.shutdownTimeoutMs).unref();
        server.close().then(
          () => process.exit(0),
          (err: unknown) => {
            server.app.log.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    },
  },
  migrate: {
    usage: 'voucherd migrate [--json]',
    summary: 'Bring the database schema (DATABASE_URL) to the latest version.',
    options: JSON_OPTION,
    async run(values) {
      const config = loadConfig();
      const database = openDatabase(config.databaseUrl, { preparedStatements: config.databasePreparedStatements });
      try {
        const report = await migrateToLatest(database);
        print(values, report, report.applied.length ? `Applied: ${report.applied.join(', ')}` : 'Schema is up to date.');
      } finally {
        await database.close();
      }
    },
  },
  bootstrap: {
    usage: 'voucherd bootstrap --org-name NAME --admin-email EMAIL [--admin-password PW] [--json]',
    summary: 'Create an organization, its ADMIN user and a first-party API client. Secrets are shown once.',
    options: { 'org-name': { type: 'string' }, 'admin-email': { type: 'string' }, 'admin-password': { type: 'string' }, ...JSON_OPTION },
    async run(values) {
      const orgName = required(values, 'org-name');
      const adminEmail = required(values, 'admin-email');
      const adminPassword = optional(values, 'admin-password');
      const result = await withContext((ctx) => bootstrap(ctx, { orgName, adminEmail, ...(adminPassword ? { adminPassword } : {}) }));
      print(
        values,
        result,
        [
          `organization_id  ${result.organization_id}`,
          `admin            ${result.admin.email} (user ${result.admin.user_id})`,
          `password         ${result.admin.password}`,
          `client_id        ${result.client.client_id}`,
          `client_secret    ${result.client.client_secret}`,
          `scopes           ${result.client.scopes.join(' ')}`,
          'The password and the client secret are shown only now; voucherd stores hashes.',
        ].join('\n'),
      );
    },
  },
  'org create': {
    usage: 'voucherd org create --name NAME [--json]',
    summary: 'Create an organization.',
    options: { name: { type: 'string' }, ...JSON_OPTION },
    async run(values) {
      const name = required(values, 'name');
      const org = await withContext((ctx) => createOrganization(ctx, name));
      print(values, org, `organization_id  ${org.organization_id}`);
    },
  },
  'user create': {
    usage: 'voucherd user create --email EMAIL [--password PW] [--org ID --role ADMIN|MEMBER] [--json]',
    summary: 'Create a user (a rider unless --org makes them a member of an organization).',
    options: { email: { type: 'string' }, password: { type: 'string' }, org: { type: 'string' }, role: { type: 'string' }, ...JSON_OPTION },
    async run(values) {
      const email = required(values, 'email');
      const role = optional(values, 'role')?.toUpperCase();
      const org = optional(values, 'org');
      if (role !== undefined && role !== 'ADMIN' && role !== 'MEMBER') throw new UsageError('--role must be ADMIN or MEMBER');
      if (role !== undefined && org === undefined) throw new UsageError('--role needs --org');
      const password = optional(values, 'password');
      const user = await withContext((ctx) =>
        createUser(ctx, {
          email,
          ...(password ? { password } : {}),
          ...(org ? { organizationId: org, role: (role ?? 'MEMBER') as 'ADMIN' | 'MEMBER' } : {}),
        }),
      );
      const result = { ...user, ...(org ? { organization_id: org, role: role ?? 'MEMBER' } : {}) };
      print(values, result, `user_id  ${user.user_id}\nemail    ${user.email}${user.password ? `\npassword ${user.password} (shown once)` : ''}`);
    },
  },
  'client create': {
    usage:
      'voucherd client create --kind first-party --org ID | --kind third-party [--name NAME] [--scope SCOPE]... [--redirect-uri URI]... [--json]',
    summary:
      'Create an OAuth client. The client secret is shown once. Scopes: organizations.voucher_programs (default, first-party), organizations.voucher_programs.delegated, vouchers.redeem, vouchers.trips (a first-party trip reporter: records trips), organizations.voucher_programs.aggregator (default, third-party).',
    options: {
      kind: { type: 'string' },
      org: { type: 'string' },
      name: { type: 'string' },
      scope: { type: 'string', multiple: true },
      'redirect-uri': { type: 'string', multiple: true },
      ...JSON_OPTION,
    },
    async run(values) {
      const kind = required(values, 'kind').toLowerCase();
      if (kind === 'third-party' && values['redirect-uri'] === undefined) {
        process.stderr.write('Note: without --redirect-uri no organization can authorize this client at /business/authorize.\n');
      }
      if (kind !== 'first-party' && kind !== 'third-party') throw new UsageError('--kind must be first-party or third-party');
      const org = optional(values, 'org');
      const name = optional(values, 'name');
      const scopes = (values.scope as string[] | undefined)?.flatMap((s) => s.split(/[\s,]+/)).filter(Boolean);
      const redirectUris = values['redirect-uri'] as string[] | undefined;
      const client = await withContext((ctx) =>
        createClient(ctx, {
          kind: kind === 'first-party' ? 'FIRST_PARTY' : 'THIRD_PARTY',
          ...(org ? { organizationId: org } : {}),
          ...(name ? { name } : {}),
          ...(scopes ? { scopes } : {}),
          ...(redirectUris ? { redirectUris } : {}),
        }),
      );
      print(
        values,
        client,
        `client_id      ${client.client_id}\nclient_secret  ${client.client_secret} (shown once)\nscopes         ${client.scopes.join(' ')}${
          client.redirect_uris.length ? `\nredirect_uris  ${client.redirect_uris.join(' ')}` : ''
        }`,
      );
    },
  },
  'client disable': {
    usage: 'voucherd client disable --client-id ID [--json]',
    summary: 'Disable an OAuth client and revoke every access and refresh token it holds.',
    options: { 'client-id': { type: 'string' }, ...JSON_OPTION },
    async run(values) {
      const clientId = required(values, 'client-id');
      const result = await withContext((ctx) => disableClient(ctx, clientId));
      print(values, result, `Disabled ${result.client_id}; revoked ${result.revoked_tokens} access token(s) and its refresh tokens.`);
    },
  },
  'webhook add': {
    usage: 'voucherd webhook add --client-id ID --url URL [--event TYPE]... [--description TEXT] [--json]',
    summary: 'Register a webhook endpoint for a client (docs/webhooks.md). The signing key is shown once.',
    options: { 'client-id': { type: 'string' }, url: { type: 'string' }, event: { type: 'string', multiple: true }, description: { type: 'string' }, ...JSON_OPTION },
    async run(values) {
      const clientId = required(values, 'client-id');
      const url = required(values, 'url');
      const events = (values.event as string[] | undefined)?.flatMap((e) => e.split(/[\s,]+/)).filter(Boolean);
      const description = optional(values, 'description');
      const endpoint = await withContext(async (ctx) => {
        await assertClient(ctx, clientId);
        return createEndpoint(ctx, { clientId, url, ...(events ? { eventTypes: events } : {}), ...(description !== undefined ? { description } : {}) });
      });
      print(
        values,
        endpoint,
        `webhook_endpoint_id  ${endpoint.webhook_endpoint_id}\nurl                  ${endpoint.url}\nevents               ${endpoint.event_types?.join(' ') ?? '(all)'}\nsigning_key          ${endpoint.signing_key} (shown once)`,
      );
    },
  },
  'webhook list': {
    usage: 'voucherd webhook list --client-id ID [--json]',
    summary: "List a client's webhook endpoints (signing keys are never shown again).",
    options: { 'client-id': { type: 'string' }, ...JSON_OPTION },
    async run(values) {
      const clientId = required(values, 'client-id');
      const endpoints = await withContext(async (ctx) => {
        await assertClient(ctx, clientId);
        return listClientEndpoints(ctx, clientId);
      });
      print(
        values,
        { webhook_endpoints: endpoints },
        endpoints.length ? endpoints.map((e) => `${e.webhook_endpoint_id}  ${e.status.padEnd(8)}  ${e.url}  ${e.event_types?.join(',') ?? '(all)'}`).join('\n') : 'No webhook endpoints.',
      );
    },
  },
  'webhook remove': {
    usage: 'voucherd webhook remove --client-id ID --id ENDPOINT_ID [--json]',
    summary: 'Remove a webhook endpoint; its pending deliveries stop.',
    options: { 'client-id': { type: 'string' }, id: { type: 'string' }, ...JSON_OPTION },
    async run(values) {
      const clientId = required(values, 'client-id');
      const id = required(values, 'id');
      await withContext((ctx) => deleteEndpoint(ctx, clientId, id));
      print(values, { webhook_endpoint_id: id, removed: true }, `Removed ${id}.`);
    },
  },
  'webhook rotate': {
    usage: 'voucherd webhook rotate --client-id ID --id ENDPOINT_ID [--overlap-seconds N] [--json]',
    summary: 'Issue a new signing key; the old one keeps signing for the overlap (default WEBHOOK_KEY_OVERLAP_SECONDS).',
    options: { 'client-id': { type: 'string' }, id: { type: 'string' }, 'overlap-seconds': { type: 'string' }, ...JSON_OPTION },
    async run(values) {
      const clientId = required(values, 'client-id');
      const id = required(values, 'id');
      const overlapRaw = optional(values, 'overlap-seconds');
      if (overlapRaw !== undefined && (!/^\d+$/.test(overlapRaw) || Number(overlapRaw) > 30 * 86_400)) {
        throw new UsageError('--overlap-seconds must be a whole number from 0 to 2592000');
      }
      const endpoint = await withContext((ctx) => rotateSigningKey(ctx, clientId, id, overlapRaw === undefined ? undefined : Number(overlapRaw)));
      print(
        values,
        endpoint,
        `webhook_endpoint_id  ${endpoint.webhook_endpoint_id}\nsigning_key          ${endpoint.signing_key} (shown once)\nold key valid until  ${endpoint.previous_key_expires_at === null ? '(retired now)' : new Date(endpoint.previous_key_expires_at).toISOString()}`,
      );
    },
  },
  'secrets rotate': {
    usage: 'voucherd secrets rotate [--json]',
    summary:
      'Seal every encrypted value (webhook signing keys, stored idempotent responses) under SECRETS_KEY, opening old ones with SECRETS_KEY_PREVIOUS; safe to re-run (docs/secrets.md).',
    options: JSON_OPTION,
    async run(values) {
      const report = await withContext((ctx) => resealAll(ctx, { progress: (line) => (values.json ? undefined : out(line)) }));
      print(values, report, `Done: ${report.resealed} value(s) sealed again, ${report.unchanged} already under the current key.`);
    },
  },
  'org authorizations': {
    usage: 'voucherd org authorizations --org ID [--json]',
    summary: 'List the third-party (aggregator) apps an organization has authorized, active and revoked.',
    options: { org: { type: 'string' }, ...JSON_OPTION },
    async run(values) {
      const org = required(values, 'org');
      const rows = await withContext(async (ctx) => {
        if (!(await organizationExists(ctx, org))) throw new OrgServiceError(`No organization with id ${org}.`);
        return organizationAuthorizations(ctx, org);
      });
      const human = rows.length
        ? rows
            .map((r) => `${r.active ? 'active ' : 'revoked'}  ${r.client_id}  ${r.app_name}  since ${new Date(r.created_at).toISOString()}${r.revoked_at ? `  revoked ${new Date(r.revoked_at).toISOString()}` : ''}`)
            .join('\n')
        : 'No third-party app has been authorized by this organization.';
      print(values, { organization_id: org, authorizations: rows }, human);
    },
  },
};

function commandHelp(name: string, command: Command): string {
  const flags = Object.keys(command.options).map((o) => `--${o}`);
  return `${command.summary}\n\nUsage: ${command.usage}\n${flags.length ? `Options: ${flags.join(', ')}, --help\n` : 'Options: --help\n'}Configuration comes from environment variables (see README: DATABASE_URL, PORT, …).\n`.replace(
    /^/,
    `voucherd ${name}: `,
  );
}

function generalHelp(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`);
  return `voucherd — self-hostable voucher programs, wire-compatible with the Uber for Business Vouchers API\n\nUsage: voucherd <command> [options]\n\nCommands:\n${rows.join('\n')}\n\nRun "voucherd <command> --help" for a command's options.\n`;
}

export async function main(argv: string[]): Promise<void> {
  const [first, second] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    out(generalHelp());
    return;
  }
  const twoWord = second !== undefined ? `${first} ${second}` : '';
  const name = COMMANDS[twoWord] ? twoWord : first;
  const command = COMMANDS[name];
  if (!command) {
    const group = Object.keys(COMMANDS).filter((n) => n.startsWith(`${first} `));
    process.stderr.write(group.length ? `Usage: ${group.map((g) => COMMANDS[g]!.usage).join('\n       ')}\n` : `Unknown command: ${first}\n\n${generalHelp()}`);
    process.exitCode = 2;
    return;
  }
  const rest = argv.slice(name.split(' ').length);
  try {
    const { values } = parseArgs({ args: rest, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, strict: true });
    if (values.help) {
      out(commandHelp(name, command));
      return;
    }
    await command.run(values as Values);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof OrgServiceError || err instanceof SecretsKeyError || err instanceof SecretBoxError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 1;
    } else if (err instanceof AppError) {
      process.stderr.write(`${translate('en_US', err.messageKey, err.options.params)}\n`);
      process.exitCode = 1;
    } else if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(err as Error).message}\n\nUsage: ${command.usage}\n`);
      process.exitCode = 2;
    } else {
      // The database cannot be reached or opened, the port is taken: one line naming the setting.
      let line: string | undefined;
      try {
        line = describeStartupError(err, loadConfig());
      } catch {
        line = undefined;
      }
      if (line === undefined) throw err;
      process.stderr.write(`${line}\n`);
      process.exitCode = 1;
    }
  }
}

// Run when executed directly (node dist/cli.js …, tsx src/cli.ts …), not when imported.
const invoked = process.argv[1] ?? '';
if (/[\\/]cli\.(js|ts)$/.test(invoked)) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
