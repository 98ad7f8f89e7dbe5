import { rowToWire } from '../programs/program.fields.js';
import type { TemplateRow } from './template.repository.js';
import { templateMoney } from './template.money.js';

/**
 * A template as Uber's Get Voucher Template shows it: `uuid`, `creator_uuid`, `deductible`,
 * `percentage`, … (their names), plus the other presets under their program names. Absent
 * optionals are omitted.
 */
export function templateToWire(row: TemplateRow) {
  return {
    uuid: row.id,
    ...(row.creator_client_id === null ? {} : { creator_uuid: row.creator_client_id }),
    created_at: Number(row.created_at),
    ...rowToWire(row, 'template', templateMoney),
    timezone: row.timezone ?? 'UTC',
  };
}

/** The wire view the template service hands its routes. */
export type TemplateView = ReturnType<typeof templateToWire>;
