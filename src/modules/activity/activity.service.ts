import type { AppContext } from '../../context.js';
import { invalidRequest } from '../../lib/errors.js';
import { localBuckets, type BucketSize } from '../../lib/local-time.js';
import { fromMinorUnits } from '../../lib/money.js';
import { requireProgram } from '../programs/program.service.js';
import { activityTotals } from './activity.repository.js';

/** Bucket count one answer may hold: 1,000 hours is six weeks, 1,000 days nearly three years. */
export const MAX_BUCKETS = 1000;

export interface ActivityInput {
  organizationId: string;
  programId: string;
  bucket?: BucketSize;
  from?: number;
  to?: number;
}

/**
 * A program's claims, trips and spend per local hour or day over a range (docs/programs.md,
 * Activity): every bucket of the range, empty ones included, so a chart needs no gap filling.
 */
export async function programActivity(ctx: AppContext, input: ActivityInput) {
  const program = await requireProgram(ctx, input.organizationId, input.programId);
  const bucket = input.bucket ?? 'day';
  const from = input.from ?? Number(program.starts_at);
  const to = input.to ?? Math.min(Number(program.ends_at), Math.max(from + 1, ctx.clock.now()));
  if (from >= to) throw invalidRequest('activity_order', undefined, 'from');
  const buckets = localBuckets(bucket, program.timezone, from, to, MAX_BUCKETS);
  if (!buckets) {
    throw invalidRequest('activity_too_many_buckets', { from: new Date(from).toISOString(), to: new Date(to).toISOString(), max: MAX_BUCKETS, bucket }, 'to');
  }
  const totals = await activityTotals(ctx.database.db, program.id, buckets);
  return {
    voucher_program_id: program.id,
    bucket,
    timezone: program.timezone,
    currency_code: program.currency_code,
    from,
    to,
    buckets: buckets.map((b) => {
      const t = totals.get(b.start);
      return {
        start: b.start,
        end: b.end,
        claims: t?.claims ?? 0,
        trips: t?.trips ?? 0,
        spent_amount: fromMinorUnits(t?.covered ?? 0, program.currency_code),
      };
    }),
  };
}
