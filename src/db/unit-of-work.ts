import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database, Dialect } from './database.js';
import type { DB } from './schema.js';

/**
 * Runs in the business transaction after its work and before it commits, with the work's result: a
 * request holding an Idempotency-Key writes its answer here (docs/architecture.md, Transactions).
 */
export type BeforeCommit<R> = (trx: Kysely<DB>, result: R) => Promise<void>;

/**
 * One business transaction, handed explicitly to the service that makes the change
 * (docs/architecture.md, Transactions). The service runs its writes in `transaction`; whatever the
 * unit of work must commit with them (an idempotent request's stored answer) is written with the
 * same handle just before the commit, so both commit together or not at all.
 */
export interface UnitOfWork<R> {
  readonly database: Database;
  /**
   * Runs `work` in one transaction, then the unit's before-commit step, and commits. May run again
   * after a rollback (a retried conflict); once one has committed the unit is spent.
   */
  transaction(work: (trx: Kysely<DB>) => Promise<R>): Promise<R>;
  /** True once a transaction of this unit has committed. */
  readonly committed: boolean;
  /**
   * The same unit of work for a service whose transaction yields a `T` its caller turns into the
   * answer `R` (the before-commit step sees `answerOf(value)`).
   */
  map<T>(answerOf: (value: T) => R): UnitOfWork<T>;
  /**
   * The same unit of work, whose transaction also runs `then` after the service's work, with its
   * handle and value, before the before-commit step: a caller whose change spans two services' writes
   * (a program and its first guest) commits them, and the answer, once.
   */
  followedBy(then: (trx: Kysely<DB>, value: R) => Promise<void>): UnitOfWork<R>;
}

/** The transactions opened by a unit of work, and the database each belongs to. */
const open = new WeakMap<Kysely<DB>, Database>();

export function unitOfWork<R>(database: Database, beforeCommit?: BeforeCommit<R>): UnitOfWork<R> {
  return unitWith(database, beforeCommit, { committed: false });
}

function unitWith<R>(database: Database, beforeCommit: BeforeCommit<R> | undefined, state: { committed: boolean }): UnitOfWork<R> {
  return {
    database,
    get committed() {
      return state.committed;
    },
    map<T>(answerOf: (value: T) => R): UnitOfWork<T> {
      return unitWith<T>(database, beforeCommit && ((trx, value) => beforeCommit(trx, answerOf(value))), state);
    },
    followedBy(then) {
      return unitWith<R>(
        database,
        async (trx, value) => {
          await then(trx, value);
          if (beforeCommit) await beforeCommit(trx, value);
        },
        state,
      );
    },
    async transaction(work) {
      if (state.committed) throw new Error('unit of work already committed: open a new one for another transaction');
      const result = await database.db.transaction().execute(async (trx) => {
        open.set(trx, database);
        try {
          const value = await work(trx);
          if (beforeCommit) await beforeCommit(trx, value);
          return value;
        } finally {
          open.delete(trx);
        }
      });
      state.committed = true;
      return result;
    },
  };
}

function databaseOf(trx: Kysely<DB>): Database {
  const database = open.get(trx);
  if (!database) throw new Error('not a transaction of a unit of work (src/db/unit-of-work.ts)');
  return database;
}

/** The engine under a unit of work's open transaction. */
export function dialectOf(trx: Kysely<DB>): Dialect {
  return databaseOf(trx).dialect;
}

const sqliteStatements = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();

/**
 * SQLite: a prepared statement to run inside `trx`, a unit of work's open transaction — for the bulk
 * paths where a prepared statement bound per row beats a Kysely query (bench G1). The engine has one
 * connection, so the statement runs in the transaction `trx` holds; it is refused outside one.
 */
export function sqliteStatementIn(trx: Kysely<DB>, source: string): BetterSqlite3.Statement {
  const sqlite = databaseOf(trx).sqlite;
  if (!sqlite) throw new Error('sqliteStatementIn: not a SQLite transaction');
  if (!sqlite.inTransaction) throw new Error('sqliteStatementIn: the transaction is not open');
  let statements = sqliteStatements.get(sqlite);
  if (!statements) sqliteStatements.set(sqlite, (statements = new Map()));
  let statement = statements.get(source);
  if (!statement) statements.set(source, (statement = sqlite.prepare(source)));
  return statement;
}
