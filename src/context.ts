import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { systemClock, type Clock } from './lib/clock.js';
import { IdGenerator } from './lib/ids.js';
import { cryptoRandom, type RandomSource } from './lib/random.js';
import type { SecretBox } from './lib/secret-box.js';
import { resolveSecrets, type ResolvedSecrets } from './lib/secret-keys.js';
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
  /**
   * The secret box for values encrypted at rest (docs/secrets.md), resolved on first use; throws
   * SecretsKeyError when no key is available (startServer asks for it before listening).
   */
  secrets(): SecretBox;
  /** How the key was found (the start-up banner names a generated key file). */
  secretsSource(): ResolvedSecrets;
}

export function createContext(
  config: Config,
  database: Database,
  overrides: { clock?: Clock; random?: RandomSource } = {},
): AppContext {
  const clock = overrides.clock ?? systemClock;
  const random = overrides.random ?? cryptoRandom;
  // Ids always come from the CSPRNG: a pinned random source for codes must not make ids collide.
  let resolved: ResolvedSecrets | undefined;
  const secretsSource = () => (resolved ??= resolveSecrets(config, database));
  return {
    config,
    database,
    clock,
    random,
    ids: new IdGenerator(clock, cryptoRandom),
    metrics: new DomainMetrics(database),
    secrets: () => secretsSource().box,
    secretsSource,
  };
}
