import { defineConfig } from 'vitest/config';

/**
 * Every storage-touching test runs on both engines (docs/architecture.md, Tests): the `sqlite` and
 * `postgres` projects run the same files with a different TEST_DATABASE_URL. Pure unit tests run once.
 * test/http: the app in-process; test/process: real `voucherd serve` processes (both engines);
 * test/multiprocess and test/postgres: PostgreSQL only.
 */
const postgresUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
// The CLI tests and every spawned server run the built bin/voucherd.js: each project that runs them
// rebuilds dist/ first when src/ is newer.
const BUILD_DIST = 'test/helpers/build-dist.ts';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: ['test/http/**/*.test.ts', 'test/process/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/compat/**/*.test.ts'],
          env: { TEST_DATABASE_URL: 'sqlite::memory:' },
          globalSetup: [BUILD_DIST],
        },
      },
      // test/postgres: PostgreSQL-only topologies (PgBouncer, read-only sessions, host lists).
      {
        extends: true,
        test: {
          name: 'postgres',
          include: [
            'test/http/**/*.test.ts',
            'test/process/**/*.test.ts',
            'test/cli/**/*.test.ts',
            'test/compat/**/*.test.ts',
            'test/multiprocess/**/*.test.ts',
            'test/postgres/**/*.test.ts',
          ],
          env: { TEST_DATABASE_URL: postgresUrl },
          globalSetup: [BUILD_DIST],
        },
      },
      // The fault suites (npm run test:faults): real processes killed on purpose, both engines.
      {
        extends: true,
        test: { name: 'faults-sqlite', include: ['test/faults/**/*.test.ts'], env: { TEST_DATABASE_URL: 'sqlite::memory:' }, globalSetup: [BUILD_DIST] },
      },
      {
        extends: true,
        test: {
          name: 'faults-postgres',
          include: ['test/faults/**/*.test.ts', 'test/faults-pg/**/*.test.ts'],
          env: { TEST_DATABASE_URL: postgresUrl },
          globalSetup: [BUILD_DIST],
        },
      },
    ],
  },
});
