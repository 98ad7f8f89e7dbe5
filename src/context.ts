import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { systemClock, type Clock } from './lib/clock.js';
import { IdGenerator } from './lib/ids.js';
import { cryptoRandom, type RandomSource } from './lib/random.js';
import { DomainMetrics } from './modules/ops/domain-metrics.js';

/**
 * What every service needs, passed explicitly (no globals): configuration, the database, and the
 * clock and random source that tests may pin (docs/architecture.md, Layers).
 */
export interface AppContext {
  readonly config: Config;
  readonly database: Database;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly ids: IdGenerator;
  /** Domain counters and gauges served at /metrics (docs/observability.md). */
  readonly metrics: DomainMetrics;
}

export function createContext(
  config: Config,
  database: Database,
  overrides: { clock?: Clock; random?: RandomSource } = {},
): AppContext {
  const clock = overrides.clock ?? systemClock;
  const random = overrides.random ?? cryptoRandom;
  // Ids always come from the CSPRNG: a pinned random source for codes must not make ids collide.
  return { config, database, clock, random, ids: new IdGenerator(clock, cryptoRandom), metrics: new DomainMetrics(database) };
}
