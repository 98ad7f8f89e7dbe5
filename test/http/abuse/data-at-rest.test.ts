import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, programBody, type Harness, type Tenant } from '../../helpers/harness.js';
import { approveViaForms, basic, browser, codeClient, PASSWORD, pkcePair, REDIRECT, tokenRequest } from '../../helpers/oauth-flow.js';
import { registerEndpoint } from '../../helpers/webhooks.js';

/**
 * docs/secrets.md: a database dump yields no usable secret. The test creates one of every secret the
 * service hands out, dumps the database with the engine's own tool (pg_dump; sqlite3 .dump plus
 * the raw file bytes) and searches the dump for every secret it saw, in every spelling a
 * careless store could use (as issued, base64, base64url, hex of the raw bytes).
 */

let h: Harness;
let tenant: Tenant;
beforeAll(async () => {
  h = await createHarness({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
  tenant = await h.seedTenant();
});
afterAll(async () => h.close());

/** The spellings of one secret worth looking for. */
function spellings(secret: string): string[] {
  const forms = new Set<string>([secret]);
  const raw = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  forms.add(raw);
  if (/^[A-Za-z0-9+/_-]+=*$/.test(raw) && raw.length >= 20) {
    const bytes = Buffer.from(raw.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    forms.add(bytes.toString('hex'));
    forms.add(bytes.toString('base64'));
    forms.add(bytes.toString('base64url'));
  }
  return [...forms];
}

function dumpText(): string {
  const testDb = h.testDb;
  if (testDb.schema !== undefined) {
    const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
    return execFileSync('pg_dump', ['-h', url.hostname, '-p', url.port || '5432', '-U', url.username || 'postgres', '-d', url.pathname.slice(1), '-n', testDb.schema], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
  }
  const file = testDb.url.slice('sqlite:'.length);
  return execFileSync('sqlite3', [file, '.dump'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

/** SQLite: every byte on disk (database file and WAL, after a checkpoint), free pages included. */
function rawFileBytes(): Buffer {
  const sqlite = h.ctx.database.sqlite!;
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  const file = h.testDb.url.slice('sqlite:'.length);
  const parts = [readFileSync(file)];
  if (existsSync(`${file}-wal`)) parts.push(readFileSync(`${file}-wal`));
  return Buffer.concat(parts);
}

/** The dump's lines, each tagged with the table whose rows it carries (COPY block or INSERT INTO). */
function linesByTable(dump: string): { table: string; line: string }[] {
  let copying: string | null = null;
  return dump.split('\n').map((line) => {
    if (copying !== null) {
      if (line === '\\.') copying = null;
      return { table: copying ?? '', line };
    }
    const copy = /^COPY [^.\s]+\.(\w+) /.exec(line);
    if (copy) {
      copying = copy[1]!;
      return { table: copying, line };
    }
    const insert = /^INSERT INTO "?(\w+)"?/.exec(line);
    return { table: insert ? insert[1]! : '', line };
  });
}

describe('H12: a database dump yields no usable secret', () => {
  it('client secret, password, tokens, authorization code, session cookie, webhook signing keys and the idempotent copy of a single code are nowhere in the dump', async () => {
    const secrets: Record<string, string> = {
      client_secret: tenant.clientSecret,
      password: PASSWORD,
      access_token: tenant.token,
    };

    // A webhook endpoint, then a rotation with overlap: both the live and the previous key are stored.
    const endpoint = await registerEndpoint(h, tenant.token, 'http://127.0.0.1:9/hook');
    secrets.signing_key = endpoint.signingKey;
    const rotated = await h.app.inject({ method: 'POST', url: `/v1/webhook-endpoints/${endpoint.id}/rotate-key`, headers: bearer(tenant.token), payload: { overlap_seconds: 3600 } });
    expect(rotated.statusCode, rotated.body).toBe(200);
    secrets.rotated_signing_key = rotated.json().signing_key;

    // Authorization code → access + refresh token; the login page's session cookie.
    const client = await codeClient(h, tenant.organizationId);
    secrets.code_client_secret = client.client_secret;
    const admin = await h.ctx.database.db.selectFrom('users').select('email').where('id', '=', tenant.adminUserId).executeTakeFirstOrThrow();
    const pkce = pkcePair();
    const b = browser(h);
    const location = await approveViaForms(
      h,
      { response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT, scope: 'organizations.voucher_programs.delegated', state: 's', code_challenge: pkce.challenge, code_challenge_method: 'S256' },
      { email: admin.email },
      b,
    );
    secrets.authorization_code = location.searchParams.get('code')!;
    for (const [name, value] of b.jar.cookies) if (value.length >= 16) secrets[`cookie_${name}`] = value;
    const exchanged = await tokenRequest(
      h,
      { grant_type: 'authorization_code', code: secrets.authorization_code, redirect_uri: REDIRECT, code_verifier: pkce.verifier },
      { authorization: basic(client.client_id, client.client_secret) },
    );
    expect(exchanged.statusCode, exchanged.body).toBe(200);
    secrets.delegated_access_token = exchanged.json().access_token;
    secrets.refresh_token = exchanged.json().refresh_token;
    expect(secrets.refresh_token).toEqual(expect.any(String));

    // A SINGLE_CODE program created with an Idempotency-Key: the stored response must not carry the code.
    const create = () =>
      h.app.inject({
        method: 'POST',
        url: `/v1/organizations/${tenant.organizationId}/voucher-programs`,
        headers: { ...bearer(tenant.token), 'idempotency-key': 'single-code-dump' },
        payload: programBody(h.clock.now(), { code_scheme: 'SINGLE_CODE_MULTI_REDEEM', number_of_codes: undefined, redemptions_per_code: 10 }),
      });
    const created = await create();
    expect(created.statusCode, created.body).toBe(200);
    const codeText = created.json().code_text as string;
    const replayed = await create();
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body).toBe(created.body);

    const dump = dumpText();
    expect(dump).toContain('webhook_endpoints');
    const hay = [dump, ...(h.testDb.schema === undefined ? [rawFileBytes().toString('latin1')] : [])];
    const found: string[] = [];
    for (const [name, secret] of Object.entries(secrets)) {
      for (const form of spellings(secret)) if (hay.some((text) => text.includes(form))) found.push(`${name} (${form.slice(0, 12)}…)`);
    }
    expect(found).toEqual([]);

    // The code itself is the product: it is stored (docs/secrets.md, Voucher codes) in voucher_codes
    // so it can be claimed and listed to the admin, and nowhere else.
    const elsewhere = linesByTable(dump).filter(({ table, line }) => table !== 'voucher_codes' && line.includes(codeText));
    expect(elsewhere.map((l) => l.line.slice(0, 80))).toEqual([]);
    expect(linesByTable(dump).some(({ table, line }) => table === 'voucher_codes' && line.includes(codeText))).toBe(true);
  });
});
