import { parseArgs } from 'node:util';
import { loadConfig, SETTINGS, type Config } from './config.js';
import { createContext, type AppContext } from './context.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { bootstrap } from './modules/oauth/bootstrap.service.js';
import { createOrganization, createUser, organizationExists, MIN_PASSWORD_LENGTH, OrgServiceError } from './modules/orgs/org.service.js';
import { checkClientInput, clientExists, createClient, type ClientInput } from './modules/oauth/client.service.js';
import { disableClient } from './modules/oauth/client-disable.service.js';
import { createEndpoint, deleteEndpoint, listClientEndpoints, rotateSigningKey } from './modules/webhooks/endpoint.service.js';
import { EVENT_TYPES } from './modules/webhooks/events.js';
import { checkUrlSyntax } from './modules/webhooks/ssrf.js';
import { organizationAuthorizations } from './modules/business/business.service.js';
import { resealAll } from './modules/secrets/reseal.service.js';
import { EXIT, EXIT_CODES_HELP } from './cli/exit-codes.js';
import { describeFailure } from './cli/failure.js';
import { HELP_OPTION, JSON_OPTION, optionsHelp, parseArgsOptions, type OptionSpecs, type Values } from './cli/options.js';
import { checkClientId, checkEmail, checkName, checkPassword, checkUuid, list, NotFoundError, optional, required, UsageError } from './cli/validate.js';
import { packageVersion } from './cli/version.js';
import { unitOfWork } from './db/unit-of-work.js';

/**
 * `voucherd` — every command has --help; --json prints exactly one JSON object on stdout. Each
 * command checks its options before it opens the database, so a bad invocation changes nothing.
 */

interface Command {
  usage: string;
  summary: string;
  options: OptionSpecs;
  run(values: Values, config: Config): Promise<void>;
}

const out = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

async function withContext<T>(config: Config, fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const database = openDatabase(config.databaseUrl, { preparedStatements: config.databasePreparedStatements });
  try {
    await migrateToLatest(database);
    return await fn(createContext(config, database));
  } finally {
    await database.close();
  }
}

/** Runs `fn` on the database once the client named by --client-id is known to exist. */
async function withClient<T>(config: Config, clientId: string, fn: (ctx: AppContext, clientId: string) => Promise<T>): Promise<T> {
  return withContext(config, async (ctx) => {
    if (!(await clientExists(ctx, clientId))) throw new NotFoundError(`no client with id ${clientId}`);
    return fn(ctx, clientId);
  });
}

const clientIdOption = (values: Values) => checkClientId('client-id', required(values, 'client-id'));

async function assertOrganization(ctx: AppContext, organizationId: string): Promise<void> {
  if (!(await organizationExists(ctx, organizationId))) throw new NotFoundError(`no organization with id ${organizationId}`);
}

/** The service's own checks that need no database, reported as usage errors. */
function usageCheck<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof OrgServiceError) throw new UsageError(err.message);
    throw err;
  }
}

function print(values: Values, object: unknown, human: string): void {
  out(values.json ? JSON.stringify(object) : human);
}

/** `--org ID`: an organization, by organization_id (read with checkUuid). */
const orgOption = (description: string): OptionSpecs => ({ org: { type: 'string', value: 'ID', description } });
const CLIENT_ID: OptionSpecs = { 'client-id': { type: 'string', value: 'ID', description: 'The OAuth client (required)' } };
const ENDPOINT_ID: OptionSpecs = { id: { type: 'string', value: 'ENDPOINT_ID', description: 'The webhook endpoint (webhook_endpoint_id; required)' } };
const MAX_OVERLAP_SECONDS = 30 * 86_400;

const COMMANDS: Record<string, Command> = {
  serve: {
    usage: 'voucherd serve',
    summary: 'Run the HTTP service (migrates first; on an empty database creates demo credentials and prints them).',
    options: {},
    async run(_values, config) {
      // Loaded here: the HTTP app is the largest import, and no other command needs it.
      const { startServer } = await import('./server.js');
      const server = await startServer(config);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        server.app.log.info({ signal }, 'shutting down: finishing in-flight requests');
        // Never hang forever: past the timeout, exit with an error code.
        setTimeout(() => {
          server.app.log.error('shutdown timed out; exiting');
          process.exit(EXIT.failure);
        }, config.shutdownTimeoutMs).unref();
        server.close().then(
          () => process.exit(EXIT.ok),
          (err: unknown) => {
            server.app.log.error({ err }, 'shutdown failed');
            process.exit(EXIT.failure);
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
    async run(values, config) {
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
    options: {
      'org-name': { type: 'string', value: 'NAME', description: 'Name of the new organization, 1 to 200 characters (required)' },
      'admin-email': { type: 'string', value: 'EMAIL', description: "The ADMIN user's email address (required)" },
      'admin-password': { type: 'string', value: 'PW', description: `The ADMIN user's password, at least ${MIN_PASSWORD_LENGTH} characters (default: generated and printed once)` },
      ...JSON_OPTION,
    },
    async run(values, config) {
      const orgName = checkName('org-name', required(values, 'org-name'));
      const adminEmail = checkEmail('admin-email', required(values, 'admin-email'));
      const adminPassword = checkPassword('admin-password', optional(values, 'admin-password'), MIN_PASSWORD_LENGTH);
      const result = await withContext(config, (ctx) => bootstrap(ctx, { orgName, adminEmail, ...(adminPassword ? { adminPassword } : {}) }));
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
    options: { name: { type: 'string', value: 'NAME', description: 'Name of the organization, 1 to 200 characters (required)' }, ...JSON_OPTION },
    async run(values, config) {
      const name = checkName('name', required(values, 'name'));
      const org = await withContext(config, (ctx) => createOrganization(ctx, name));
      print(values, org, `organization_id  ${org.organization_id}`);
    },
  },
  'org authorizations': {
    usage: 'voucherd org authorizations --org ID [--json]',
    summary: 'List the third-party (aggregator) apps an organization has authorized, active and revoked.',
    options: { ...orgOption('The organization (organization_id; required)'), ...JSON_OPTION },
    async run(values, config) {
      const org = checkUuid('org', required(values, 'org'));
      const rows = await withContext(config, async (ctx) => {
        await assertOrganization(ctx, org);
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
  'user create': {
    usage: 'voucherd user create --email EMAIL [--password PW] [--org ID --role ADMIN|MEMBER] [--json]',
    summary: 'Create a user (a rider unless --org makes them a member of an organization).',
    options: {
      email: { type: 'string', value: 'EMAIL', description: "The user's email address (required)" },
      password: { type: 'string', value: 'PW', description: `At least ${MIN_PASSWORD_LENGTH} characters (default: generated and printed once)` },
      ...orgOption('Make the user a member of this organization (organization_id)'),
      role: { type: 'string', value: 'ADMIN|MEMBER', description: 'Role in --org (default MEMBER)' },
      ...JSON_OPTION,
    },
    async run(values, config) {
      const email = checkEmail('email', required(values, 'email'));
      const role = optional(values, 'role')?.toUpperCase();
      const orgRaw = optional(values, 'org');
      const org = orgRaw === undefined ? undefined : checkUuid('org', orgRaw);
      if (role !== undefined && role !== 'ADMIN' && role !== 'MEMBER') throw new UsageError('--role must be ADMIN or MEMBER');
      if (role !== undefined && org === undefined) throw new UsageError('--role needs --org');
      const password = checkPassword('password', optional(values, 'password'), MIN_PASSWORD_LENGTH);
      const user = await withContext(config, async (ctx) => {
        if (org !== undefined) await assertOrganization(ctx, org);
        return createUser(ctx, {
          email,
          ...(password ? { password } : {}),
          ...(org ? { organizationId: org, role: (role ?? 'MEMBER') as 'ADMIN' | 'MEMBER' } : {}),
        });
      });
      const result = { ...user, ...(org ? { organization_id: org, role: role ?? 'MEMBER' } : {}) };
      print(values, result, `user_id  ${user.user_id}\nemail    ${user.email}${user.password ? `\npassword ${user.password} (shown once)` : ''}`);
    },
  },
  'client create': {
    usage:
      'voucherd client create --kind first-party --org ID | --kind third-party [--name NAME] [--scope SCOPE]... [--redirect-uri URI]... [--json]',
    summary: 'Create an OAuth client. The client secret is shown once.',
    options: {
      kind: { type: 'string', value: 'KIND', description: 'first-party (an organization\'s own systems) or third-party (an aggregator app) (required)' },
      ...orgOption('The organization a first-party client belongs to (required with first-party)'),
      name: { type: 'string', value: 'NAME', description: 'Display name, shown on the consent page' },
      scope: {
        type: 'string',
        multiple: true,
        value: 'SCOPE',
        description:
          'organizations.voucher_programs (default for first-party), organizations.voucher_programs.delegated, vouchers.redeem, vouchers.trips (first-party trip reporter), organizations.voucher_programs.aggregator (default for third-party)',
      },
      'redirect-uri': { type: 'string', multiple: true, value: 'URI', description: 'Where /business/authorize may send the organization back (third-party; absolute, no fragment)' },
      ...JSON_OPTION,
    },
    async run(values, config) {
      const kind = required(values, 'kind').toLowerCase();
      if (kind !== 'first-party' && kind !== 'third-party') throw new UsageError('--kind must be first-party or third-party');
      const org = optional(values, 'org');
      if (org !== undefined) checkUuid('org', org);
      const name = optional(values, 'name');
      const scopes = list(values, 'scope');
      const redirectUris = values['redirect-uri'] as string[] | undefined;
      const input: ClientInput = {
        kind: kind === 'first-party' ? 'FIRST_PARTY' : 'THIRD_PARTY',
        ...(org ? { organizationId: org } : {}),
        ...(name ? { name } : {}),
        ...(scopes ? { scopes } : {}),
        ...(redirectUris ? { redirectUris } : {}),
      };
      usageCheck(() => checkClientInput(input));
      if (kind === 'third-party' && redirectUris === undefined) {
        process.stderr.write('Note: without --redirect-uri no organization can authorize this client at /business/authorize.\n');
      }
      const client = await withContext(config, async (ctx) => {
        if (org !== undefined) await assertOrganization(ctx, org);
        return createClient(ctx, input);
      });
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
    options: { ...CLIENT_ID, ...JSON_OPTION },
    async run(values, config) {
      const result = await withClient(config, clientIdOption(values), disableClient);
      print(values, result, `Disabled ${result.client_id}; revoked ${result.revoked_tokens} access token(s) and its refresh tokens.`);
    },
  },
  'webhook add': {
    usage: 'voucherd webhook add --client-id ID --url URL [--event TYPE]... [--description TEXT] [--json]',
    summary: 'Register a webhook endpoint for a client (docs/webhooks.md). The signing key is shown once.',
    options: {
      ...CLIENT_ID,
      url: { type: 'string', value: 'URL', description: 'Where deliveries are POSTed: http(s), no credentials or fragment (required)' },
      event: { type: 'string', multiple: true, value: 'TYPE', description: `Only these event types (default: all): ${EVENT_TYPES.join(', ')}` },
      description: { type: 'string', value: 'TEXT', description: 'A note for operators' },
      ...JSON_OPTION,
    },
    async run(values, config) {
      const clientId = clientIdOption(values);
      const url = required(values, 'url');
      const verdict = checkUrlSyntax(url, config.webhookAllowPrivateTargets);
      if (!verdict.ok) throw new UsageError(`--url is refused: ${verdict.reason}`);
      const events = list(values, 'event');
      const unknown = events?.find((e) => !(EVENT_TYPES as readonly string[]).includes(e));
      if (unknown !== undefined) throw new UsageError(`--event must be one of ${EVENT_TYPES.join(', ')} (got "${unknown}")`);
      const description = optional(values, 'description');
      const endpoint = await withClient(config, clientId, (ctx) => createEndpoint(ctx, { clientId, url, ...(events ? { eventTypes: events } : {}), ...(description !== undefined ? { description } : {}) }, unitOfWork(ctx.database)));
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
    options: { ...CLIENT_ID, ...JSON_OPTION },
    async run(values, config) {
      const endpoints = await withClient(config, clientIdOption(values), listClientEndpoints);
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
    options: { ...CLIENT_ID, ...ENDPOINT_ID, ...JSON_OPTION },
    async run(values, config) {
      const clientId = clientIdOption(values);
      const id = checkUuid('id', required(values, 'id'));
      await withClient(config, clientId, (ctx) => deleteEndpoint(ctx, clientId, id));
      print(values, { webhook_endpoint_id: id, removed: true }, `Removed ${id}.`);
    },
  },
  'webhook rotate': {
    usage: 'voucherd webhook rotate --client-id ID --id ENDPOINT_ID [--overlap-seconds N] [--json]',
    summary: 'Issue a new signing key; the old one keeps signing for the overlap.',
    options: {
      ...CLIENT_ID,
      ...ENDPOINT_ID,
      'overlap-seconds': { type: 'string', value: 'N', description: `How long the old key keeps signing too, 0 to ${MAX_OVERLAP_SECONDS} (default WEBHOOK_KEY_OVERLAP_SECONDS)` },
      ...JSON_OPTION,
    },
    async run(values, config) {
      const clientId = clientIdOption(values);
      const id = checkUuid('id', required(values, 'id'));
      const overlapRaw = optional(values, 'overlap-seconds');
      if (overlapRaw !== undefined && (!/^\d+$/.test(overlapRaw) || Number(overlapRaw) > MAX_OVERLAP_SECONDS)) {
        throw new UsageError(`--overlap-seconds must be a whole number from 0 to ${MAX_OVERLAP_SECONDS}`);
      }
      const endpoint = await withClient(config, clientId, (ctx) => rotateSigningKey(ctx, clientId, id, overlapRaw === undefined ? undefined : Number(overlapRaw), unitOfWork(ctx.database)));
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
    async run(values, config) {
      const report = await withContext(config, (ctx) => resealAll(ctx, { progress: (line) => (values.json ? undefined : out(line)) }));
      print(values, report, `Done: ${report.resealed} value(s) sealed again, ${report.unchanged} already under the current key.`);
    },
  },
};

const SETTINGS_NOTE = 'Settings come from environment variables (README, Configuration): DATABASE_URL, PORT, HOST, …';

function commandHelp(name: string, command: Command): string {
  return `voucherd ${name} — ${command.summary}

Usage: ${command.usage}

Options:
${optionsHelp({ ...command.options, ...HELP_OPTION })}

${SETTINGS_NOTE}

${EXIT_CODES_HELP}
`;
}

function generalHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length)) + 2;
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`);
  return `voucherd ${packageVersion()} — self-hostable voucher programs, wire-compatible with the Uber for Business Vouchers API

Usage: voucherd <command> [options]
       voucherd --help | --version

Commands:
${rows.join('\n')}

Options:
  -h, --help     Show this help (or a command's: voucherd <command> --help)
  -V, --version  Print the version and exit

"voucherd help settings" lists every setting with its default.

${SETTINGS_NOTE}

${EXIT_CODES_HELP}
`;
}

/** `voucherd help settings`: every environment variable, its default and what it does (from SETTINGS). */
function settingsHelp(): string {
  const width = Math.max(...Object.keys(SETTINGS).map((n) => n.length)) + 2;
  const rows = Object.entries(SETTINGS).map(([name, s]) => `  ${name.padEnd(width)}${s.description} (default: ${s.default})`);
  return `Settings (environment variables; README, Configuration):\n${rows.join('\n')}\n`;
}

function fail(line: string, code: number, usage?: string): void {
  process.stderr.write(`voucherd: ${line}\n${usage ? `Usage: ${usage}\nRun "voucherd --help" for the commands and their options.\n` : ''}`);
  process.exitCode = code;
}

/** Which command argv names: two words ("org create") before one. */
function findCommand(argv: string[]): { name: string; command: Command } | undefined {
  const [first, second] = argv;
  const twoWord = `${first} ${second}`;
  if (COMMANDS[twoWord]) return { name: twoWord, command: COMMANDS[twoWord] };
  if (first !== undefined && COMMANDS[first]) return { name: first, command: COMMANDS[first] };
  return undefined;
}

export async function main(argv: string[]): Promise<void> {
  const [first] = argv;
  if (first === '--version' || first === '-V' || first === 'version') {
    out(packageVersion());
    return;
  }
  if (first === '--help' || first === '-h' || (first === 'help' && argv.length === 1)) {
    out(generalHelp());
    return;
  }
  if (first === undefined) {
    process.stderr.write(generalHelp());
    process.exitCode = EXIT.usage;
    return;
  }
  if (first === 'help' && argv[1] === 'settings' && argv.length === 2) {
    out(settingsHelp());
    return;
  }
  if (first === 'help') {
    const found = findCommand(argv.slice(1));
    if (found) out(commandHelp(found.name, found.command));
    else fail(`unknown command: ${argv.slice(1).join(' ')}`, EXIT.usage, 'voucherd <command> [options]');
    return;
  }
  const found = findCommand(argv);
  if (!found) {
    const group = Object.keys(COMMANDS).filter((n) => n.startsWith(`${first} `));
    const unknown = group.length && argv[1] !== undefined && !argv[1].startsWith('-') ? `${first} ${argv[1]}` : first;
    fail(group.length ? `${unknown === first ? 'missing' : 'unknown'} subcommand: ${unknown}` : `unknown command: ${first}`, EXIT.usage, group.length ? group.map((g) => COMMANDS[g]!.usage).join('\n       ') : 'voucherd <command> [options]');
    return;
  }
  const { name, command } = found;
  try {
    const { values } = parseArgs({ args: argv.slice(name.split(' ').length), options: parseArgsOptions({ ...command.options, ...HELP_OPTION }), strict: true });
    if (values.help) {
      out(commandHelp(name, command));
      return;
    }
    // Settings, then options, then the database: a bad invocation opens nothing.
    const config = loadConfig();
    await command.run(values as Values, config);
  } catch (err) {
    const failure = describeFailure(err);
    fail(failure.line, failure.code, failure.usage ? command.usage : undefined);
    if (failure.detail) process.stderr.write(`${failure.detail}\n`);
  }
}

// Run when executed directly (node dist/cli.js …, tsx src/cli.ts …), not when imported.
const invoked = process.argv[1] ?? '';
if (/[\\/]cli\.(js|ts)$/.test(invoked)) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`voucherd: ${describeFailure(err).line}\n`);
    process.exit(EXIT.failure);
  });
}
