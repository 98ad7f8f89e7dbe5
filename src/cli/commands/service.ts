import { openDatabase } from '../../db/database.js';
import { migrateToLatest } from '../../db/migrate.js';
import { bootstrap } from '../../modules/oauth/bootstrap.service.js';
import { MIN_PASSWORD_LENGTH } from '../../modules/orgs/org.service.js';
import { EXIT } from '../exit-codes.js';
import { JSON_OPTION } from '../options.js';
import { checkEmail, checkName, checkPassword, optional, required } from '../validate.js';
import { out, print, withContext, type Command } from '../command.js';

/** Run and set up the service: serve, migrate, bootstrap. */
export const SERVICE_COMMANDS: Record<string, Command> = {
  serve: {
    usage: 'voucherd serve',
    summary: 'Run the HTTP service (migrates first; on an empty database creates demo credentials and prints them).',
    options: {},
    async run(_values, config) {
      // Loaded here: the HTTP app is the largest import, and no other command needs it.
      const { startServer } = await import('../../server.js');
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
};
