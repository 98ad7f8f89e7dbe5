import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { IdGenerator, isUuid } from '../../src/lib/ids.js';

describe('UUIDv7 ids', () => {
  it('are RFC 9562 version 7 with the timestamp up front', () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 26));
    const id = new IdGenerator(clock).next();
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect('89ab').toContain(id[19]);
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(clock.now());
  });

  it('strictly increase within a process, even within one millisecond', () => {
    const ids = new IdGenerator(new ManualClock(1_700_000_000_000));
    const list = Array.from({ length: 20_000 }, () => ids.next());
    for (let i = 1; i < list.length; i++) expect(list[i]! > list[i - 1]!).toBe(true);
  });
});
