import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startServerProcess, type ServerProcess } from '../helpers/processes.js';

const exec = promisify(execFile);

let testDb: TestDatabase;
let server: ServerProcess;
beforeAll(async () => {
  testDb = await createTestDatabase();
  server = await startServerProcess({ DATABASE_URL: testDb.url, DEMO_BOOTSTRAP: 'true' });
});
afterAll(async () => {
  await server?.stop();
  await testDb.drop();
});

describe('npm start on an empty database', () => {
  it('prints demo credentials and a curl walk-through that works as printed', async () => {
    const printed = server.output();
    expect(printed).toMatch(/client_id\s+\S+/);
    expect(printed).toMatch(/client_secret\s+\S+/);
    const script = printed.slice(printed.indexOf('export VOUCHERD='));
    expect(script).toContain('codes/generate');
    // Run the printed commands exactly as a newcomer would paste them into a shell.
    const { stdout } = await exec('bash', ['-c', `set -e\n${script}`], { timeout: 60_000 });
    const generate = /\{"voucher_program_id":"[^"]+","generation_id":"[^"]+","status":"COMPLETED","number_of_codes":50,"total_number_of_codes":60\}/.exec(stdout);
    expect(generate, stdout).not.toBeNull();
    const list = JSON.parse(stdout.slice(generate!.index + generate![0].length));
    expect(list.total_number_of_codes).toBe(60);
    expect(list.codes).toHaveLength(5);
    expect(list.next_page_token).toEqual(expect.any(String));
    const orgs = await testDb.database.db.selectFrom('organizations').select('name').execute();
    expect(orgs).toEqual([{ name: 'Demo Organization' }]);
  });

  it('a second start does not create another demo tenant and says how to get credentials', async () => {
    const again = await startServerProcess({ DATABASE_URL: testDb.url, DEMO_BOOTSTRAP: 'true' });
    try {
      expect(again.output()).toMatch(/voucherd bootstrap --org-name/);
    } finally {
      await again.stop();
    }
    expect(await testDb.database.db.selectFrom('organizations').select('id').execute()).toHaveLength(1);
  });
});
