import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { preparedQuery } from '../../src/db/prepared.js';

describe('preparedQuery', () => {
  it('compiles once and binds each call’s arguments', async () => {
    const database = openDatabase('sqlite::memory:');
    await migrateToLatest(database);
    await database.db.insertInto('organizations').values([
      { id: 'a', name: 'A', created_at: 1 },
      { id: 'b', name: 'B', created_at: 2 },
    ]).execute();
    let builds = 0;
    const byId = preparedQuery((db, id: string) => {
      builds++;
      return db.selectFrom('organizations').select(['id', 'name']).where('id', '=', id).where('created_at', '>', 0);
    });
    expect(await byId(database.db, 'a')).toEqual([{ id: 'a', name: 'A' }]);
    expect(await byId(database.db, 'b')).toEqual([{ id: 'b', name: 'B' }]);
    expect(await byId(database.db, 'zzz')).toEqual([]);
    expect(builds).toBe(1);
    await database.close();
  });

  it('refuses a query whose argument is not a bound parameter', async () => {
    const database = openDatabase('sqlite::memory:');
    await migrateToLatest(database);
    const bad = preparedQuery((db, _unused: string) => db.selectFrom('organizations').select('id'));
    await expect(bad(database.db, 'x')).rejects.toThrow(/not a bound parameter/);
    await database.close();
  });
});
