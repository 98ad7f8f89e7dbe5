import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { createContext } from '../../../src/context.js';
import { bootstrap } from '../../../src/modules/oauth/bootstrap.service.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { programBody } from '../../helpers/harness.js';
import { createRider, createRiderApp } from '../../helpers/riders.js';
import { startServerProcess, type ServerProcess } from '../../helpers/processes.js';

// What `voucherd serve` itself writes at the default level (info), captured from the real process.
let testDb: TestDatabase;
let server: ServerProcess;
let orgToken: string;
let organizationId: string;
let riderToken: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  const ctx = createContext(loadConfig({ DEMO_BOOTSTRAP: 'false' }), testDb.database);
  const tenant = await bootstrap(ctx, { orgName: 'Logs', adminEmail: `logs-${process.pid}@example.com`, adminPassword: 'correct horse battery staple' });
  organizationId = tenant.organization_id;
  server = await startServerProcess({ DATABASE_URL: testDb.url, LOG_LEVEL: 'info' });
  riderToken = (await createRider({ ctx, url: server.url }, await createRiderApp(ctx))).token;
  const res = await fetch(`${server.url}/oauth/v2/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${tenant.client.client_id}:${tenant.client.client_secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials&scope=organizations.voucher_programs',
  });
  orgToken = ((await res.json()) as { access_token: string }).access_token;
}, 120_000);
afterAll(async () => {
  await server?.stop('SIGKILL');
  await testDb?.drop();
});

const api = (method: string, path: string, body?: unknown, token = orgToken) =>
  fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

describe('H8: no live code or guest contact in the server log', () => {
  it('a redeem page visit, a claim and add-guests with notifications log the route pattern and masked values only', async () => {
    const created = await api('POST', `/v1/organizations/${organizationId}/voucher-programs`, programBody(Date.now(), { number_of_codes: 4 }));
    expect(created.status).toBe(200);
    const programId = ((await created.json()) as { voucher_program_id: string }).voucher_program_id;
    const listing = (await (await api('GET', `/v1/organizations/${organizationId}/voucher-programs/${programId}/codes`)).json()) as { codes: Array<{ code_text: string }> };
    const codes = listing.codes.map((c) => c.code_text);
    expect(codes).toHaveLength(4);

    await fetch(`${server.url}/redeem/${codes[0]}`);
    const claimed = await api('POST', '/v1.2/me/vouchers/redeem', { code_text: codes[1] }, riderToken);
    expect(claimed.status).toBeLessThan(500);
    const added = await api('POST', `/v1/organizations/${organizationId}/voucher-programs/${programId}/add-guests`, {
      guests: [{ email: 'jane.doe@example.com' }, { phone: '+15555550167' }],
    });
    expect(added.status).toBe(200);

    // Give the log lines a moment to arrive through the pipe.
    await new Promise((r) => setTimeout(r, 300));
    const log = server.output();
    expect(log).toContain('/redeem/:code');
    expect(log).toContain('j…@example.com');
    expect(log).toContain('+1…67');
    for (const code of codes) expect(log).not.toContain(code);
    expect(log).toMatch(/"code_text":"..…"/);
    expect(log).not.toContain('jane.doe@example.com');
    expect(log).not.toContain('5555550167');
  });
});
