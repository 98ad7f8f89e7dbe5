import type { AppContext } from '../../../context.js';
import { onePer } from '../../../lib/once.js';
import { KeyedConcurrency, Semaphore } from '../../../lib/semaphore.js';

/**
 * In-process bounds on password checks: at most LOGIN_HASH_CONCURRENCY scrypt runs at once in the
 * whole process (a burst queues instead of starving every other request of CPU), and at most
 * LOGIN_CONCURRENT_PER_ACCOUNT / LOGIN_CONCURRENT_PER_ADDRESS checks in flight for one account or
 * one client address (a burst from one place cannot fill that queue). One set per app context.
 */
export interface LoginGates {
  hashing: Semaphore;
  perAccount: KeyedConcurrency;
  perAddress: KeyedConcurrency;
}

export const loginGates: (ctx: AppContext) => LoginGates = onePer((ctx) => ({
  hashing: new Semaphore(ctx.config.loginHashConcurrency),
  perAccount: new KeyedConcurrency(ctx.config.loginConcurrentPerAccount),
  perAddress: new KeyedConcurrency(ctx.config.loginConcurrentPerAddress),
}));
