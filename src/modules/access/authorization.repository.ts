import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

export async function hasActiveAuthorization(db: Kysely<DB>, organizationId: string, clientId: string): Promise<boolean> {
  const row = await db
    .selectFrom('organization_authorizations')
    .select('id')
    .where('organization_id', '=', organizationId)
    .where('client_id', '=', clientId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}
