import type { AppContext } from '../../context.js';
import type { Worker } from '../../jobs/runner.js';
import { recordEvent } from '../webhooks/outbox.js';
import { recordTransitions } from './status-sweep.repository.js';

const BATCH = 500;

/**
 * Status sweep (docs/programs.md): status is computed from the clock, so nothing changes when a program
 * starts or ends — this sweep notices it, records each ACTIVE and COMPLETE transition once, and
 * writes `voucher_program_activated` / `voucher_program_completed` to the outbox in the same
 * transaction (docs/webhooks.md). A program canceled before a transition never gets it. Activation is
 * recorded before completion, so a program that both started and ended while no sweep ran gets both,
 * in order.
 */
export const statusSweepWorker: Worker = {
  name: 'program-status-sweep',
  intervalMs: 15_000,
  singleton: true,
  async run(ctx: AppContext, signal: AbortSignal): Promise<void> {
    for (const status of ['ACTIVE', 'COMPLETE'] as const) {
      for (;;) {
        if (signal.aborted) return;
        const recorded = await ctx.database.db.transaction().execute(async (trx) => {
          const now = ctx.clock.now();
          const rows = await recordTransitions(trx, { status, now, limit: BATCH });
          for (const row of rows) {
            await recordEvent(ctx, trx, {
              eventType: status === 'ACTIVE' ? 'voucher_program_activated' : 'voucher_program_completed',
              organizationId: row.organization_id,
              voucherProgramId: row.program_id,
              data: { status, transitioned_at: now },
            });
          }
          return rows.length;
        });
        if (recorded < BATCH) break;
      }
    }
  },
};
