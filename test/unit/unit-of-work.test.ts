import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { sqliteStatementIn, unitOfWork } from '../../src/db/unit-of-work.js';

/** docs/architecture.md, Transactions: one unit of work = one transaction, committed once, with its before-commit step. */
let database: Database;
beforeEach(async () => {
  database = openDatabase('sqlite::memory:');
  await sql`create table t (v integer)`.execute(database.db);
});
afterEach(async () => {
  await database.close();
});
const rows = async () => (await sql<{ v: number }>`select v from t order by v`.execute(database.db)).rows.map((r) => r.v);

describe('unit of work (src/db/unit-of-work.ts)', () => {
  it('commits the work and its before-commit step together, or neither', async () => {
    const seen: number[] = [];
    const ok = unitOfWork<number>(database, async (trx, result) => {
      seen.push(result);
      await sql`insert into t (v) values (${result + 100})`.execute(trx);
    });
    expect(await ok.transaction(async (trx) => (await sql`insert into t (v) values (1)`.execute(trx), 1))).toBe(1);
    expect([ok.committed, seen, await rows()]).toEqual([true, [1], [1, 101]]);

    const failing = unitOfWork<number>(database, async () => {
      throw new Error('before-commit fails');
    });
    await expect(failing.transaction(async (trx) => (await sql`insert into t (v) values (2)`.execute(trx), 2))).rejects.toThrow('before-commit fails');
    expect([failing.committed, await rows()]).toEqual([false, [1, 101]]);
  });

  it('runs again after a rollback, never after a commit', async () => {
    const work = unitOfWork<string>(database);
    await expect(work.transaction(async () => Promise.reject(new Error('conflict')))).rejects.toThrow('conflict');
    expect(await work.transaction(async () => 'second try')).toBe('second try');
    await expect(work.transaction(async () => 'third')).rejects.toThrow(/already committed/);
  });

  it('a mapped unit shares the commit and hands the before-commit step the mapped answer', async () => {
    const answers: string[] = [];
    const work = unitOfWork<string>(database, async (_trx, answer) => void answers.push(answer));
    const inner = work.map((n: number) => `answer ${n}`);
    expect(await inner.transaction(async () => 7)).toBe(7);
    expect([answers, work.committed]).toEqual([['answer 7'], true]);
  });

  it('SQLite prepared statements run only inside a unit of work transaction', async () => {
    expect(() => sqliteStatementIn(database.db, 'insert into t (v) values (?)')).toThrow(/not a transaction of a unit of work/);
    await database.db.transaction().execute(async (trx) => {
      expect(() => sqliteStatementIn(trx, 'insert into t (v) values (?)')).toThrow(/not a transaction of a unit of work/);
    });
    let held: Parameters<typeof sqliteStatementIn>[0] | undefined;
    await expect(
      unitOfWork<void>(database).transaction(async (trx) => {
        held = trx;
        sqliteStatementIn(trx, 'insert into t (v) values (?)').run(5);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    // The statement ran in the transaction: it rolled back with it.
    expect(await rows()).toEqual([]);
    expect(() => sqliteStatementIn(held!, 'insert into t (v) values (?)')).toThrow(/not a transaction of a unit of work/);
  });
});
