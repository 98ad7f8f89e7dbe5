import { describe, expect, it } from 'vitest';
import { localBuckets, startOfLocalDay, startOfLocalHour } from '../../src/lib/local-time.js';

const H = 3_600_000;

describe('local hours and days of a time zone', () => {
  it('a New York day starts at local midnight (05:00 or 04:00 UTC)', () => {
    expect(startOfLocalDay('America/New_York', Date.UTC(2026, 0, 15, 16, 30))).toBe(Date.UTC(2026, 0, 15, 5));
    expect(startOfLocalDay('America/New_York', Date.UTC(2026, 6, 15, 3, 59))).toBe(Date.UTC(2026, 6, 14, 4));
  });

  it('days around DST changes are 23 and 25 hours long', () => {
    // 2026-03-08 (spring forward) and 2026-11-01 (fall back) in New York.
    const spring = localBuckets('day', 'America/New_York', Date.UTC(2026, 2, 8, 12), Date.UTC(2026, 2, 8, 13), 10)!;
    expect(spring).toHaveLength(1);
    expect(spring[0]!.end - spring[0]!.start).toBe(23 * H);
    const fall = localBuckets('day', 'America/New_York', Date.UTC(2026, 10, 1, 12), Date.UTC(2026, 10, 1, 13), 10)!;
    expect(fall[0]!.end - fall[0]!.start).toBe(25 * H);
    const week = localBuckets('day', 'America/New_York', Date.UTC(2026, 2, 5, 12), Date.UTC(2026, 2, 12, 12), 10)!;
    expect(week).toHaveLength(8);
    for (let i = 1; i < week.length; i += 1) expect(week[i]!.start).toBe(week[i - 1]!.end);
  });

  it('hours in a half-hour zone start at half past in UTC', () => {
    expect(startOfLocalHour('Asia/Kolkata', Date.UTC(2026, 0, 1, 10, 10))).toBe(Date.UTC(2026, 0, 1, 9, 30));
    const hours = localBuckets('hour', 'Asia/Kolkata', Date.UTC(2026, 0, 1, 0), Date.UTC(2026, 0, 1, 3), 10)!;
    expect(hours.map((b) => b.start)).toEqual([Date.UTC(2025, 11, 31, 23, 30), Date.UTC(2026, 0, 1, 0, 30), Date.UTC(2026, 0, 1, 1, 30), Date.UTC(2026, 0, 1, 2, 30)]);
  });

  it('the fall-back hour exists twice in local time but once per bucket', () => {
    const hours = localBuckets('hour', 'America/New_York', Date.UTC(2026, 10, 1, 4), Date.UTC(2026, 10, 1, 8), 10)!;
    expect(hours).toHaveLength(4);
    for (const b of hours) expect(b.end - b.start).toBe(H);
  });

  it('more buckets than allowed → null', () => {
    expect(localBuckets('hour', 'UTC', 0, 10 * H, 5)).toBeNull();
    expect(localBuckets('hour', 'UTC', 0, 5 * H, 5)).toHaveLength(5);
  });
});
