// The second floor of G6: a bare Fastify route that does the database work an authenticated GET
// cannot avoid — hash the bearer token, read the token with its client, read the program with its
// claim-counter shards (the product's two queries, written out by hand, prepared once: better-sqlite3
// statements / PostgreSQL named statements on a pool of 10) — and answers fixed bytes. No org-access
// policy, expiry or revocation checks, hooks, schemas, serialization or error handling.
import { createHash } from 'node:crypto';
import Fastify from 'fastify';

const body = process.env.BARE_BODY ?? '{}';
const url = process.env.DATABASE_URL ?? '';
const TOKEN_SQL =
  'select t.id, t.client_id, t.user_id, t.grant_type, t.scope, t.expires_at, t.revoked_at, t.created_at, t.family_id, c.kind as client_kind, c.organization_id as client_organization_id, c.disabled_at as client_disabled_at from oauth_tokens t inner join oauth_clients c on c.client_id = t.client_id where t.token_hash = ';
const PROGRAM_SQL =
  'select *, (select coalesce(sum(s.claims), 0) from program_claim_shards s where s.program_id = voucher_programs.id) as sharded_claims from voucher_programs where organization_id = ';

let read;
if (url.startsWith('sqlite:')) {
  const { default: Sqlite } = await import('better-sqlite3');
  const db = new Sqlite(url.slice('sqlite:'.length));
  db.pragma('journal_mode = WAL');
  const token = db.prepare(`${TOKEN_SQL}?`);
  const program = db.prepare(`${PROGRAM_SQL}? and id = ?`);
  read = async (hash, org, id) => [token.get(hash), program.get(org, id)];
} else {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  read = async (hash, org, id) => {
    const t = await pool.query({ name: 'bare_token', text: `${TOKEN_SQL}$1`, values: [hash] });
    const p = await pool.query({ name: 'bare_program', text: `${PROGRAM_SQL}$1 and id = $2`, values: [org, id] });
    return [t.rows[0], p.rows[0]];
  };
}

const app = Fastify({ logger: false });
app.get('/v1/organizations/:org/voucher-programs/:id', async (request, reply) => {
  const hash = createHash('sha256').update((request.headers.authorization ?? '').slice('Bearer '.length)).digest('hex');
  const [token, program] = await read(hash, request.params.org, request.params.id);
  if (!token || !program) return reply.code(404).send('{}');
  return reply.type('application/json; charset=utf-8').send(body);
});
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.stdout.write(`ready ${app.server.address().port}\n`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
