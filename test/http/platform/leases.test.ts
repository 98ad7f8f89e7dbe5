import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseLease, tryAcquireLease } from '../../../src/jobs/lease.repository.js';
import { createHarness, type Harness } from '../../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

describe('database leases (docs/architecture.md, Scale-out)', () => {
  it('has one holder at a time, renewable by the holder, taken over after expiry, released', async () => {
    const db = h.ctx.database.db;
    const now = h.clock.now();
    expect(await tryAcquireLease(db, 'sweep', 'a', 1000, now)).toBe(true);
    expect(await tryAcquireLease(db, 'sweep', 'b', 1000, now + 10)).toBe(false);
    expect(await tryAcquireLease(db, 'sweep', 'a', 1000, now + 500)).toBe(true);
    expect(await tryAcquireLease(db, 'sweep', 'b', 1000, now + 1400)).toBe(false);
    expect(await tryAcquireLease(db, 'sweep', 'b', 1000, now + 1501)).toBe(true);
    expect(await tryAcquireLease(db, 'sweep', 'a', 1000, now + 1502)).toBe(false);
    await releaseLease(db, 'sweep', 'b');
    expect(await tryAcquireLease(db, 'sweep', 'a', 1000, now + 1503)).toBe(true);
  });

  it('lets exactly one of many concurrent contenders win', async () => {
    const db = h.ctx.database.db;
    const now = h.clock.now();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => tryAcquireLease(db, 'race', `p${i}`, 1000, now)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});
