import { sql, type Kysely } from 'kysely';

// Public OAuth clients (docs/oauth.md, Public clients): a browser app cannot keep a secret, so it
// authenticates with no secret (RFC 7591 token_endpoint_auth_method "none") and proves possession
// with PKCE S256 alone. Existing clients stay confidential.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('oauth_clients')
    .addColumn('token_endpoint_auth_method', 'text', (c) =>
      c.notNull().defaultTo('client_secret_basic').check(sql`token_endpoint_auth_method in ('client_secret_basic', 'none')`),
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('oauth_clients').dropColumn('token_endpoint_auth_method').execute();
}
