import { describe, expect, it } from 'vitest';
import { KeyedConcurrency, KeyedSemaphore, Semaphore } from '../../src/lib/semaphore.js';

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

describe('Semaphore with a bounded queue', () => {
  it('admits size holders and maxWaiting waiters, refuses the rest, and lets a waiter in on release', async () => {
    const gate = new Semaphore(2, 1);
    const first = await gate.tryEnter()!;
    const second = await gate.tryEnter()!;
    let thirdIn = false;
    const third = gate.tryEnter()!.then((release) => {
      thirdIn = true;
      return release;
    });
    expect(gate.tryEnter()).toBeUndefined();
    expect(gate.load).toBe(3);
    await new Promise((r) => setImmediate(r));
    expect(thirdIn).toBe(false);
    first();
    first(); // a second call gives nothing back twice
    const releaseThird = await third;
    expect(thirdIn).toBe(true);
    expect(gate.load).toBe(2);
    expect(gate.tryEnter()).toBeDefined(); // the queue has room again
    second();
    releaseThird();
  });
});

describe('KeyedSemaphore', () => {
  it('bounds each key on its own and forgets idle keys', async () => {
    const gate = new KeyedSemaphore(1, 1);
    const a = await gate.tryEnter('a')!;
    const queued = gate.tryEnter('a');
    expect(queued).toBeDefined();
    expect(gate.tryEnter('a')).toBeUndefined();
    const b = await gate.tryEnter('b')!;
    a();
    (await queued!)();
    b();
    expect(gate.keys).toBe(0);
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
