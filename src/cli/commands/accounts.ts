import { createOrganization, createUser, MIN_PASSWORD_LENGTH } from '../../modules/orgs/org.service.js';
import { checkClientInput, createClient, type ClientInput } from '../../modules/oauth/client.service.js';
import { disableClient } from '../../modules/oauth/client-disable.service.js';
import { organizationAuthorizations } from '../../modules/business/business.service.js';
import { JSON_OPTION } from '../options.js';
import { checkEmail, checkName, checkPassword, checkUuid, list, optional, required, UsageError } from '../validate.js';
import { assertOrganization, CLIENT_ID, clientIdOption, orgOption, print, usageCheck, withClient, withContext, type Command } from '../command.js';

/** Organizations, users and OAuth clients. */
export const ACCOUNTS_COMMANDS: Record<string, Command> = {
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
};
