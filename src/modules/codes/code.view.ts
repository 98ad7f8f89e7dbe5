import { fromMinorUnits } from '../../lib/money.js';
import type { CodeListRow } from './code.repository.js';

export type CodeStatus = 'AVAILABLE' | 'REDEEMED' | 'CANCELED';

/** docs/programs.md: `{PUBLIC_URL}/redeem/{code_text}`. */
export function redemptionLink(publicUrl: string, codeText: string): string {
  return `${publicUrl}/redeem/${codeText}`;
}

export function codeStatus(row: Pick<CodeListRow, 'canceled_at' | 'redemption_count' | 'max_num_redemptions'>): CodeStatus {
  if (row.canceled_at !== null) return 'CANCELED';
  return Number(row.redemption_count) >= row.max_num_redemptions ? 'REDEEMED' : 'AVAILABLE';
}

export interface CodeViewOptions {
  publicUrl: string;
  includeUsage: boolean;
  currencyCode: string;
}

/** One entry of Get Voucher Codes (docs/programs.md), Uber fields first, then ours (X). */
export function codeToWire(row: CodeListRow, options: CodeViewOptions): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    code_id: row.id,
    code_text: row.code_text,
    redemption_link: redemptionLink(options.publicUrl, row.code_text),
    max_num_redemptions: row.max_num_redemptions,
  };
  if (row.canceled_at !== null) wire.canceled_at = row.canceled_at;
  if (options.includeUsage) {
    wire.usage_count = Number(row.usage_count);
    wire.usage_amount = fromMinorUnits(Number(row.usage_amount), options.currencyCode);
    wire.currency_code = options.currencyCode;
  }
  wire.status = codeStatus(row);
  wire.created_at = row.created_at;
  wire.generation_id = row.generation_id;
  return wire;
}

export const CSV_COLUMNS = [
  'code_id',
  'code_text',
  'redemption_link',
  'max_num_redemptions',
  'status',
  'created_at',
  'canceled_at',
  'generation_id',
] as const;

function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function codeToCsvLine(row: CodeListRow, options: CodeViewOptions): string {
  const wire = codeToWire(row, { ...options, includeUsage: false });
  return `${CSV_COLUMNS.map((c) => csvField(wire[c])).join(',')}\r\n`;
}
