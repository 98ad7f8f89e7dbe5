import { sql } from 'kysely';
import type { TestDatabase } from './database.js';

/**
 * The money-like invariants of docs/programs.md and §7, read straight from the database (SQLite or
 * PostgreSQL). Returns a list of human-readable violations: empty means every invariant holds.
 * Shared by the crash tests (test/faults), the model test (test/http/model) and the soak checker.
 */
export async function claimViolations(testDb: Pick<TestDatabase, 'database'>): Promise<string[]> {
  const db = testDb.database.db;
  const out: string[] = [];
  // Unique code texts, over every program.
  const dup = await sql<{ code_text: string; n: number }>`select code_text, count(*) as n from voucher_codes group by code_text having count(*) > 1`.execute(db);
  for (const r of dup.rows) out.push(`duplicate code ${r.code_text} (${r.n} rows)`);
  // redemption_count ≤ max_num_redemptions and = the vouchers rows of the code.
  const codes = await sql<{ id: string; max: number; count: number; rows: number }>`
    select c.id, c.max_num_redemptions as max, c.redemption_count as count,
      (select count(*) from vouchers v where v.code_id = c.id) as rows
    from voucher_codes c`.execute(db);
  for (const c of codes.rows) {
    if (Number(c.count) > Number(c.max)) out.push(`code ${c.id}: redemption_count ${c.count} > max ${c.max}`);
    if (Number(c.rows) !== Number(c.count)) out.push(`code ${c.id}: ${c.rows} vouchers but redemption_count ${c.count}`);
  }
  // One voucher per (program, rider).
  const twice = await sql<{ program_id: string; user_id: string; n: number }>`
    select program_id, user_id, count(*) as n from vouchers group by program_id, user_id having count(*) > 1`.execute(db);
  for (const r of twice.rows) out.push(`rider ${r.user_id} holds ${r.n} vouchers of program ${r.program_id}`);
  // Program counters = rows (the claim count is the program column plus its counter shards, migration 0009).
  const programs = await sql<{ id: string; claims: number; vouchers: number; total: number; codes: number }>`
    select p.id,
      p.usage_voucher_claim_count + coalesce((select sum(s.claims) from program_claim_shards s where s.program_id = p.id), 0) as claims,
      p.total_number_of_codes as total,
      (select count(*) from vouchers v where v.program_id = p.id) as vouchers,
      (select count(*) from voucher_codes c where c.program_id = p.id) as codes
    from voucher_programs p`.execute(db);
  for (const p of programs.rows) {
    if (Number(p.claims) !== Number(p.vouchers)) out.push(`program ${p.id}: usage_voucher_claim_count ${p.claims} but ${p.vouchers} vouchers`);
    if (Number(p.total) !== Number(p.codes)) out.push(`program ${p.id}: total_number_of_codes ${p.total} but ${p.codes} code rows`);
  }
  // Exactly one claimed event per voucher (transactional outbox, docs/webhooks.md).
  const events = await db.selectFrom('outbox_events').select(['payload']).where('event_type', '=', 'voucher_program_code_claimed').execute();
  const perVoucher = new Map<string, number>();
  for (const e of events) {
    const id = String((JSON.parse(e.payload) as { voucher_id?: unknown }).voucher_id);
    perVoucher.set(id, (perVoucher.get(id) ?? 0) + 1);
  }
  const vouchers = await db.selectFrom('vouchers').select('id').execute();
  const ids = new Set(vouchers.map((v) => v.id));
  for (const v of ids) if (perVoucher.get(v) !== 1) out.push(`voucher ${v}: ${perVoucher.get(v) ?? 0} claimed events`);
  for (const [id, n] of perVoucher) if (!ids.has(id)) out.push(`claimed event (${n}) for missing voucher ${id}`);
  if (testDb.database.dialect === 'sqlite') {
    const check = testDb.database.sqlite!.pragma('integrity_check') as { integrity_check: string }[];
    if (check.length !== 1 || check[0]!.integrity_check !== 'ok') out.push(`sqlite integrity_check: ${JSON.stringify(check)}`);
  }
  return out;
}
