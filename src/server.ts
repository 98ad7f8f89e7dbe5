import type { FastifyInstance } from 'fastify';
import { demoInstructions, environmentBanner, noDemoInstructions } from './cli/demo.js';
import type { Config } from './config.js';
import { createContext, type AppContext } from './context.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { buildApp } from './app.js';
import { JobRunner } from './jobs/runner.js';
import { registerWorkers } from './jobs/workers.js';
import { bootstrap } from './modules/oauth/bootstrap.service.js';
import { countOrganizations } from './modules/orgs/org.service.js';
import { OrgServiceError } from './modules/orgs/org.service.js';
import { ensureRedeemClient } from './modules/redemption/redeem-client.js';
import { ensureConsoleClient } from './modules/oauth/console-client.js';
import { resealAll } from './modules/secrets/reseal.service.js';

export interface RunningServer {
  app: FastifyInstance;
  jobs: JobRunner;
  ctx: AppContext;
  url: string;
  close(): Promise<void>;
}

/** On an empty database, create a demo tenant once and print how to use it (issue: `npm start`). */
async function demoBootstrap(ctx: AppContext, print: (text: string) => void): Promise<void> {
  if ((await countOrganizations(ctx)) > 0) {
    print(noDemoInstructions(ctx.config.environment, ctx.config.publicUrl));
    return;
  }
  try {
    const result = await bootstrap(ctx, { orgName: 'Demo Organization', adminEmail: 'admin@example.com' });
    print(demoInstructions(ctx.config.publicUrl, result, ctx.config.environment));
  } catch (err) {
    // Another process on the same database bootstrapped first: fine.
    if (!(err instanceof OrgServiceError)) throw err;
    print(noDemoInstructions(ctx.config.environment, ctx.config.publicUrl));
  }
}

/**
 * config → db → migrate → buildApp → listen. Returns a handle to stop it. The demo banner goes to
 * stderr by default: stdout carries only JSON log lines.
 */
export async function startServer(config: Config, print: (text: string) => void = (t) => process.stderr.write(t)): Promise<RunningServer> {
  let announce: (named: boolean) => void = () => undefined;
  const database = openDatabase(config.databaseUrl, {
    poolSize: config.databasePoolSize,
    preparedStatements: config.databasePreparedStatements,
    onPreparedStatementsDecided: (named) => announce(named),
  });
  try {
    await migrateToLatest(database);
  } catch (err) {
    await database.close();
    throw err;
  }
  const ctx = createContext(config, database);
  try {
    // docs/secrets.md: no key, no start (PostgreSQL); plaintext secrets of older versions sealed now.
    const secrets = ctx.secretsSource();
    if (secrets.created) print(`Secrets at rest are encrypted with a new key in ${secrets.localKeyFile}; keep it (without it the webhook signing keys are lost) or set SECRETS_KEY_FILE (docs/secrets.md).\n`);
    await resealAll(ctx, { legacyOnly: true });
  } catch (err) {
    await database.close();
    throw err;
  }
  // Access logs name the route pattern, never a URL with a live code in it (buildApp, log-redaction.ts).
  const app = await buildApp(ctx, { logger: { level: config.logLevel } });
  announce = (named) => app.log.info({ named_prepared_statements: named }, named ? 'named prepared statements on' : 'a connection pooler answers: named prepared statements off');
  try {
    // The redemption page's own OAuth client (idempotent; every process may run it).
    await ensureRedeemClient(ctx);
    // The console's public OAuth client (docs/console.md); idempotent too.
    await ensureConsoleClient(ctx);
    if (config.demoBootstrap) await demoBootstrap(ctx, print);
    else if (config.environment === 'sandbox') print(`${environmentBanner(config.environment)}\n`);
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    // E.g. the port is taken: release the database so the process can exit with the error.
    await app.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw err;
  }
  const jobs = new JobRunner(ctx, app.log);
  registerWorkers(jobs, ctx);
  jobs.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  let closing: Promise<void> | undefined;
  /**
   * Graceful stop (docs/guarantees.md): refuse new requests with 503 at once, keep accepting for a short
   * grace period (connections already queued get an answer rather than a reset; load balancers
   * notice), then stop background work, wait for in-flight requests, close the database.
   */
  const close = () => {
    closing ??= (async () => {
      app.lifecycle.shuttingDown = true;
      await new Promise((resolve) => setTimeout(resolve, config.shutdownGraceMs));
      await jobs.stop();
      await app.close();
      await database.close();
    })();
    return closing;
  };
  return { app, jobs, ctx, url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`, close };
}
