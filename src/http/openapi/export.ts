import { buildApp } from '../../app.js';
import { loadConfig } from '../../config.js';
import { createContext } from '../../context.js';
import { openDatabase } from '../../db/database.js';
import { migrateToLatest } from '../../db/migrate.js';

/**
 * The OpenAPI document as the service publishes it at /openapi.json, built from the routes of an
 * app on an in-memory SQLite database (nothing listens). The lint test and `npm run sdk:generate`
 * read it from here, so the contract always comes from the code.
 */
export async function exportOpenApiDocument(env: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const config = loadConfig({ DATABASE_URL: 'sqlite::memory:', DEMO_BOOTSTRAP: 'false', PUBLIC_URL: 'https://vouchers.test', ...env });
  const database = openDatabase('sqlite::memory:');
  try {
    await migrateToLatest(database);
    const app = await buildApp(createContext(config, database));
    await app.ready();
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    await app.close();
    return res.json() as Record<string, unknown>;
  } finally {
    await database.close();
  }
}
