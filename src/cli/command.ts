import { type Config } from '../config.js';
import { createContext, type AppContext } from '../context.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { organizationExists, OrgServiceError } from '../modules/orgs/org.service.js';
import { clientExists } from '../modules/oauth/client.service.js';
import { type OptionSpecs, type Values } from './options.js';
import { checkClientId, checkUuid, NotFoundError, required, UsageError } from './validate.js';

/** What every `voucherd` command is, and the steps the commands share (src/cli/commands/). */

export interface Command {
  usage: string;
  summary: string;
  options: OptionSpecs;
  run(values: Values, config: Config): Promise<void>;
}

export const out = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

export async function withContext<T>(config: Config, fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const database = openDatabase(config.databaseUrl, { preparedStatements: config.databasePreparedStatements });
  try {
    await migrateToLatest(database);
    return await fn(createContext(config, database));
  } finally {
    await database.close();
  }
}

/** Runs `fn` on the database once the client named by --client-id is known to exist. */
export async function withClient<T>(config: Config, clientId: string, fn: (ctx: AppContext, clientId: string) => Promise<T>): Promise<T> {
  return withContext(config, async (ctx) => {
    if (!(await clientExists(ctx, clientId))) throw new NotFoundError(`no client with id ${clientId}`);
    return fn(ctx, clientId);
  });
}

export const clientIdOption = (values: Values) => checkClientId('client-id', required(values, 'client-id'));

export async function assertOrganization(ctx: AppContext, organizationId: string): Promise<void> {
  if (!(await organizationExists(ctx, organizationId))) throw new NotFoundError(`no organization with id ${organizationId}`);
}

/** The service's own checks that need no database, reported as usage errors. */
export function usageCheck<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof OrgServiceError) throw new UsageError(err.message);
    throw err;
  }
}

export function print(values: Values, object: unknown, human: string): void {
  out(values.json ? JSON.stringify(object) : human);
}

/** `--org ID`: an organization, by organization_id (read with checkUuid). */
export const orgOption = (description: string): OptionSpecs => ({ org: { type: 'string', value: 'ID', description } });
export const CLIENT_ID: OptionSpecs = { 'client-id': { type: 'string', value: 'ID', description: 'The OAuth client (required)' } };
export const ENDPOINT_ID: OptionSpecs = { id: { type: 'string', value: 'ENDPOINT_ID', description: 'The webhook endpoint (webhook_endpoint_id; required)' } };
export const MAX_OVERLAP_SECONDS = 30 * 86_400;
