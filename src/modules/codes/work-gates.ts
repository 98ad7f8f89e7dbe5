import type { AppContext } from '../../context.js';
import type { WorkGateLimits } from '../../config.js';
import { AppError } from '../../lib/errors.js';
import { onePer } from '../../lib/once.js';
import { KeyedSemaphore, Semaphore, type Release } from '../../lib/semaphore.js';

/** What a refused request is told to wait before retrying (seconds). */
const RETRY_AFTER_SECONDS = 2;

/**
 * A program created with more codes than this takes a generation turn too; smaller first batches
 * (one program per person, a handful of codes) are cheap and stay ungated.
 */
export const GATED_FIRST_BATCH = 1000;

export type HeavyWork = 'generation' | 'export';

/**
 * One kind of heavy work (inline code generation, full code export), bounded twice in this process
 * (docs/limits.md, Concurrency): a few at once per organization with a small queue behind them, so
 * one tenant's burst cannot take every slot, and a few at once in the whole process, so CPU and
 * memory stay bounded whatever the number of tenants. Past both queues: 429 at once.
 */
class WorkGate {
  private readonly perOrg: KeyedSemaphore;
  readonly perProcess: Semaphore;

  constructor(
    readonly work: HeavyWork,
    limits: WorkGateLimits,
  ) {
    this.perOrg = new KeyedSemaphore(limits.perOrg, limits.perOrgQueue);
    this.perProcess = new Semaphore(limits.perProcess, limits.perProcessQueue);
  }

  /** A slot for `organizationId` (waiting in the queues if need be), or 429 `rate_limited`. */
  async enter(organizationId: string): Promise<Release> {
    const orgTurn = this.perOrg.tryEnter(organizationId);
    if (!orgTurn) throw refused(this.work);
    const releaseOrg = await orgTurn;
    const processTurn = this.perProcess.tryEnter();
    if (!processTurn) {
      releaseOrg();
      throw refused(this.work);
    }
    const releaseProcess = await processTurn;
    return () => {
      releaseProcess();
      releaseOrg();
    };
  }
}

function refused(work: HeavyWork): AppError {
  return new AppError('rate_limited', work === 'generation' ? 'generations_busy' : 'exports_busy', {
    params: { seconds: RETRY_AFTER_SECONDS },
    headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
  });
}

export interface WorkGates {
  generation: WorkGate;
  export: WorkGate;
}

/** The gates of one app context (one per server process). */
export const workGates: (ctx: AppContext) => WorkGates = onePer((ctx) => ({
  generation: new WorkGate('generation', ctx.config.generationGate),
  export: new WorkGate('export', ctx.config.exportGate),
}));
