import { describe, expect, it } from 'vitest';
import { KeyedConcurrency, Semaphore } from '../../src/lib/semaphore.js';

describe('Semaphore', () => {
  it('never runs more than its size at once, and runs everything', async () => {
    const gate = new Semaphore(2);
    let running = 0;
    let peak = 0;
    const work = async (i: number) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setImmediate(r));
      running -= 1;
      return i;
    };
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => gate.run(() => work(i))));
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(peak).toBe(2);
  });

  it('frees the slot when the work throws', async () => {
    const gate = new Semaphore(1);
    await expect(gate.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(async () => 'next')).toBe('next');
  });
});

describe('KeyedConcurrency', () => {
  it('refuses the key past its max until one leaves; other keys are independent', () => {
    const gate = new KeyedConcurrency(2);
    expect(gate.tryEnter('a')).toBe(true);
    expect(gate.tryEnter('a')).toBe(true);
    expect(gate.tryEnter('a')).toBe(false);
    expect(gate.tryEnter('b')).toBe(true);
    gate.leave('a');
    expect(gate.tryEnter('a')).toBe(true);
  });
});
