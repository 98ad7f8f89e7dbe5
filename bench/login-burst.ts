/**
 * Sign-in under a burst of wrong passwords: 150 parallel failed sign-ins from one client address
 * (behind one proxy, TRUST_PROXY=1) while another account signs in from another address. Prints
 * how many of the burst had their password checked (401) or were refused before any check (429),
 * and the other account's sign-in times before and during the burst. Real HTTP over loopback,
 * SQLite in memory. Not a test: timing goals live in bench/.
 * Run: node --import tsx bench/login-burst.ts
 */
import { Agent, request } from 'undici';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createContext } from '../src/context.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { bootstrap } from '../src/modules/oauth/bootstrap.service.js';
import { createClient } from '../src/modules/oauth/client.service.js';
import { createUser } from '../src/modules/orgs/org.service.js';

const BURST = 150;
const config = loadConfig({ DATABASE_URL: 'sqlite::memory:', DEMO_BOOTSTRAP: 'false', TRUST_PROXY: '1', PUBLIC_URL: 'http://127.0.0.1:1' });
const database = openDatabase(config.databaseUrl);
await migrateToLatest(database);
const ctx = createContext(config, database);
const app = await buildApp(ctx);
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
const seeded = await bootstrap(ctx, { orgName: 'Bench', adminEmail: 'admin@example.com', adminPassword: 'correct horse battery staple' });
const redirectUri = 'https://app.example.com/cb';
const client = await createClient(ctx, { kind: 'FIRST_PARTY', organizationId: seeded.organization_id, scopes: ['vouchers.redeem'], redirectUris: [redirectUri] });
await createUser(ctx, { email: 'real@example.com', password: 'real password 123' });
const agent = new Agent({ connections: BURST + 10 });

// The sign-in form of the authorize page: its CSRF cookie and hidden fields.
const params = new URLSearchParams({ response_type: 'code', client_id: client.client_id, redirect_uri: redirectUri, scope: 'vouchers.redeem', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
const page = await request(`${base}/oauth/v2/authorize?${params}`, { dispatcher: agent });
const html = await page.body.text();
const cookie = ([page.headers['set-cookie']].flat() as string[]).map((c) => c.split(';')[0]).join('; ');
const fields: Record<string, string> = {};
for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) fields[m[1]!] = m[2]!.replace(/&amp;/g, '&');

async function post(email: string, password: string, from: string): Promise<number> {
  const res = await request(`${base}/oauth/v2/authorize`, {
    method: 'POST',
    dispatcher: agent,
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': from },
    body: new URLSearchParams({ ...fields, email, password }).toString(),
  });
  await res.body.text();
  return res.statusCode;
}
async function signIn(): Promise<number> {
  const start = performance.now();
  const status = await post('real@example.com', 'real password 123', '198.51.100.9');
  if (status !== 303) throw new Error(`sign-in answered ${status}`);
  return Math.round(performance.now() - start);
}

const quiet = [await signIn(), await signIn(), await signIn()];
const burst = Promise.all(Array.from({ length: BURST }, (_, i) => post(`nobody${i}@example.com`, 'wrong', '203.0.113.7')));
await new Promise((r) => setTimeout(r, 20));
const during = [await signIn(), await signIn(), await signIn()];
const counts: Record<number, number> = {};
for (const status of await burst) counts[status] = (counts[status] ?? 0) + 1;
console.log(`burst of ${BURST} wrong sign-ins from one address: ${counts[401] ?? 0} checked (401), ${counts[429] ?? 0} refused before any check (429)`);
console.log(`another account's sign-in: ${quiet.join(' / ')} ms before, ${during.join(' / ')} ms during the burst`);
await agent.close();
await app.close();
await database.close();
