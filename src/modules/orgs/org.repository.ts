import type { Kysely } from 'kysely';
import type { DB, MembershipRole } from '../../db/schema.js';

export async function insertOrganization(db: Kysely<DB>, row: { id: string; name: string; created_at: number }): Promise<void> {
  await db.insertInto('organizations').values(row).execute();
}

export async function organizationExists(db: Kysely<DB>, id: string): Promise<boolean> {
  const row = await db.selectFrom('organizations').select('id').where('id', '=', id).executeTakeFirst();
  return row !== undefined;
}

export async function countOrganizations(db: Kysely<DB>): Promise<number> {
  const row = await db.selectFrom('organizations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertUser(
  db: Kysely<DB>,
  row: { id: string; email: string; password_hash: string; created_at: number },
): Promise<void> {
  await db.insertInto('users').values(row).execute();
}

export async function findUserByEmail(db: Kysely<DB>, email: string) {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

export async function insertMembership(
  db: Kysely<DB>,
  row: { organization_id: string; user_id: string; role: MembershipRole; created_at: number },
): Promise<void> {
  await db.insertInto('memberships').values(row).execute();
}

export async function findMembershipRole(db: Kysely<DB>, organizationId: string, userId: string): Promise<MembershipRole | undefined> {
  const row = await db
    .selectFrom('memberships')
    .select('role')
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.role;
}

/** The organizations where the user is an ADMIN, by name (consent pages, the console's picker). */
export async function adminOrganizations(db: Kysely<DB>, userId: string): Promise<{ id: string; name: string }[]> {
  return db
    .selectFrom('memberships as m')
    .innerJoin('organizations as o', 'o.id', 'm.organization_id')
    .select(['o.id', 'o.name'])
    .where('m.user_id', '=', userId)
    .where('m.role', '=', 'ADMIN')
    .orderBy('o.name')
    .orderBy('o.id')
    .execute();
}
