import { describe, expect, it } from 'vitest';
import {
  addSample,
  formatDuration,
  pollDelayMs,
  progressOf,
  RATE_WINDOW_MS,
  rateOf,
  secondsLeft,
  stateFromGenerateAnswer,
} from '../../console/src/lib/progress.js';

const running = (generated: number, requested: number) => ({ generation_id: 'g', status: 'IN_PROGRESS' as const, requested, generated });

describe('console progress bar of a code generation', () => {
  it('shows whole percents, and 100 only once the generation is COMPLETED', () => {
    expect(progressOf(running(0, 200_000)).percent).toBe(0);
    expect(progressOf(running(50_000, 200_000))).toMatchObject({ percent: 25, generated: 50_000, done: false, failed: false });
    expect(progressOf(running(199_999, 200_000)).percent).toBe(99);
    // Everything generated but not committed yet: still running.
    expect(progressOf(running(200_000, 200_000))).toMatchObject({ percent: 99, done: false });
    expect(progressOf({ ...running(180_000, 200_000), status: 'COMPLETED' })).toMatchObject({ percent: 100, generated: 200_000, done: true });
    expect(progressOf({ ...running(10, 200), status: 'FAILED' })).toMatchObject({ done: true, failed: true, percent: 5 });
  });

  it('clamps what the server reports into 0 … requested', () => {
    expect(progressOf(running(-5, 100))).toMatchObject({ generated: 0, percent: 0 });
    expect(progressOf(running(500, 100))).toMatchObject({ generated: 100, percent: 99 });
    expect(progressOf(running(0, 0)).percent).toBe(0);
  });

  it('reads 200 as committed and 202 as a background job', () => {
    expect(stateFromGenerateAnswer(200, { generation_id: 'a', number_of_codes: 30_000 })).toEqual({ generation_id: 'a', status: 'COMPLETED', requested: 30_000, generated: 30_000 });
    expect(stateFromGenerateAnswer(202, { generation_id: 'b', number_of_codes: 200_000 })).toEqual({ generation_id: 'b', status: 'IN_PROGRESS', requested: 200_000, generated: 0 });
  });

  it('polls quickly at first, then every 2 s, and follows Retry-After (at most 30 s)', () => {
    expect([0, 1, 2, 3, 4, 10].map((a) => pollDelayMs(a))).toEqual([250, 500, 1000, 2000, 2000, 2000]);
    expect(pollDelayMs(0, 5)).toBe(5000);
    expect(pollDelayMs(0, 600)).toBe(30_000);
    expect(pollDelayMs(3, Number.NaN)).toBe(2000);
    expect(pollDelayMs(3, 0)).toBe(2000);
  });
});

describe('console rate and time left of a background generation', () => {
  it('has no rate until two samples at least a second apart have moved', () => {
    expect(rateOf([])).toBeNull();
    expect(rateOf([{ at: 0, generated: 0 }])).toBeNull();
    expect(rateOf([{ at: 0, generated: 0 }, { at: 500, generated: 900 }])).toBeNull();
    expect(rateOf([{ at: 0, generated: 10 }, { at: 5000, generated: 10 }])).toBeNull();
    expect(rateOf([{ at: 0, generated: 0 }, { at: 2000, generated: 10_000 }])).toBe(5000);
  });

  it('follows the current pace: samples older than the window are dropped, two are always kept', () => {
    let samples = addSample([], { at: 0, generated: 0 });
    samples = addSample(samples, { at: 1000, generated: 1000 });
    samples = addSample(samples, { at: RATE_WINDOW_MS + 1000, generated: 2000 });
    samples = addSample(samples, { at: RATE_WINDOW_MS + 3000, generated: 42_000 });
    expect(samples[0]).toEqual({ at: RATE_WINDOW_MS + 1000, generated: 2000 });
    expect(rateOf(samples)).toBe(20_000);
    const two = addSample([{ at: 0, generated: 0 }], { at: 60_000, generated: 60_000 });
    expect(two).toHaveLength(2);
    expect(rateOf(two)).toBe(1000);
  });

  it('restarts the window when the count or the clock goes back', () => {
    const samples = [{ at: 0, generated: 0 }, { at: 2000, generated: 5000 }];
    expect(addSample(samples, { at: 3000, generated: 10 })).toEqual([{ at: 3000, generated: 10 }]);
    expect(addSample(samples, { at: 1000, generated: 6000 })).toEqual([{ at: 1000, generated: 6000 }]);
  });

  it('time left is the codes left at the rate, rounded up; unknown without a rate; 0 when all are generated', () => {
    expect(secondsLeft({ generated: 100_000, requested: 200_000 }, 30_000)).toBe(4);
    expect(secondsLeft({ generated: 100_000, requested: 200_000 }, null)).toBeNull();
    expect(secondsLeft({ generated: 100_000, requested: 200_000 }, 0)).toBeNull();
    expect(secondsLeft({ generated: 200_000, requested: 200_000 }, null)).toBe(0);
  });

  it('formats durations compactly', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(3720)).toBe('1 h 02 min');
  });
});
