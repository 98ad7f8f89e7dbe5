import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

export interface RecordedTransition {
  program_id: string;
  organization_id: string;
}

/**
 * Records, set-based, up to `limit` programs that reached `status` and have no such record yet.
 * The primary key (program_id, status) with ON CONFLICT DO NOTHING makes each transition recorded
 * exactly once across any number of sweeping processes; RETURNING yields only the rows this
 * statement inserted, so only their events are written.
 */
export async function recordTransitions(
  db: Kysely<DB>,
  input: { status: 'ACTIVE' | 'COMPLETE'; now: number; limit: number },
): Promise<RecordedTransition[]> {
  const reached = input.status === 'ACTIVE' ? sql`p.starts_at <= ${input.now}` : sql`p.ends_at <= ${input.now}`;
  const result = await sql<RecordedTransition>`
    insert into program_status_transitions (program_id, status, organization_id, recorded_at)
    select p.id, ${input.status}, p.organization_id, ${input.now}
    from voucher_programs p
    where p.canceled_at is null and ${reached}
      and not exists (select 1 from program_status_transitions t where t.program_id = p.id and t.status = ${input.status})
    order by p.id
    limit ${input.limit}
    on conflict (program_id, status) do nothing
    returning program_id, organization_id`.execute(db);
  return result.rows;
}
