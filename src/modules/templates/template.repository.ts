import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { DB, VoucherProgramTemplatesTable } from '../../db/schema.js';

export type TemplateRow = Selectable<VoucherProgramTemplatesTable>;

export async function insertTemplate(db: Kysely<DB>, row: Insertable<VoucherProgramTemplatesTable>): Promise<void> {
  await db.insertInto('voucher_program_templates').values(row).execute();
}

/** Org-scoped: another org's template is simply not found (docs/oauth.md step 6). */
export async function findTemplate(db: Kysely<DB>, organizationId: string, templateId: string): Promise<TemplateRow | undefined> {
  return db
    .selectFrom('voucher_program_templates')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', templateId)
    .executeTakeFirst();
}

export async function listTemplates(db: Kysely<DB>, organizationId: string, limit: number): Promise<TemplateRow[]> {
  return db
    .selectFrom('voucher_program_templates')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export async function updateTemplate(
  db: Kysely<DB>,
  organizationId: string,
  templateId: string,
  changes: Updateable<VoucherProgramTemplatesTable>,
): Promise<boolean> {
  const result = await db
    .updateTable('voucher_program_templates')
    .set(changes)
    .where('organization_id', '=', organizationId)
    .where('id', '=', templateId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
