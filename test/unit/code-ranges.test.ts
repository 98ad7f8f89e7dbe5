import { describe, expect, it } from 'vitest';
import {
  CODE_ALPHABET,
  CODE_RADIX,
  RANGE_SLOTS,
  RANGE_SYMBOLS,
  generateCodes,
  isWellFormedCode,
  rangeForShare,
  type CodeFormat,
} from '../../src/lib/codes.js';
import { CryptoRandomSource, type RandomSource } from '../../src/lib/random.js';
import { BiasedSource, chiSquare, chiSquarePValue, SeededSource, SIGNIFICANCE } from '../helpers/chi-square.js';
import { ReplaySource } from '../helpers/replay-source.js';

/** The slot of a code: the value of its first RANGE_SYMBOLS random symbols (after the prefix). */
function slotOf(code: string, prefixLength = 0): number {
  let slot = 0;
  for (let k = 0; k < RANGE_SYMBOLS; k++) slot = slot * CODE_RADIX + CODE_ALPHABET.indexOf(code[prefixLength + k]!);
  return slot;
}

describe('code ranges: a background job chunk draws its codes from its slice of the space', () => {
  it('rangeForShare splits a job into contiguous, non-overlapping slices covering the whole space', () => {
    for (const [total, chunk] of [[1_000_000, 20_000], [3_500, 700], [10_000_000, 100], [7, 3]] as const) {
      let expectedStart = 0;
      for (let done = 0; done < total; done += chunk) {
        const count = Math.min(chunk, total - done);
        const r = rangeForShare(done, count, total);
        expect(r.start).toBe(expectedStart);
        expect(r.end).toBeGreaterThan(r.start);
        // each slice is the chunk's share of the space, to within one slot
        expect(Math.abs(r.end - r.start - (count * RANGE_SLOTS) / total)).toBeLessThanOrEqual(1);
        expectedStart = r.end;
      }
      expect(expectedStart).toBe(RANGE_SLOTS);
    }
  });

  it('every code lies in its slice, is well formed and keeps the prefix', () => {
    const source = new CryptoRandomSource();
    const formats: CodeFormat[] = [{ prefix: '', length: 12 }, { prefix: 'RYDE', length: 8 }, { prefix: '', length: 20 }];
    for (const format of formats) {
      for (const range of [rangeForShare(0, 1, 50), rangeForShare(17, 1, 50), rangeForShare(49, 1, 50), { start: 5, end: 6 }]) {
        const codes = generateCodes(2_000, source, format, range);
        expect(codes).toHaveLength(2_000);
        for (const code of codes) {
          expect(code).toHaveLength(format.prefix.length + format.length + 1);
          expect(code.startsWith(format.prefix)).toBe(true);
          expect(isWellFormedCode(code)).toBe(true);
          const slot = slotOf(code, format.prefix.length);
          expect(slot).toBeGreaterThanOrEqual(range.start);
          expect(slot).toBeLessThan(range.end);
        }
      }
    }
  });

  it('sorted chunks of successive slices are sorted as a whole (they fill the code index in order)', () => {
    const source = new CryptoRandomSource();
    const all: string[] = [];
    for (let done = 0; done < 10_000; done += 1_000) all.push(...generateCodes(1_000, source, undefined, rangeForShare(done, 1_000, 10_000)).sort());
    expect(all).toEqual([...all].sort());
  });

  /** p-values of χ² over 20 buckets of the slot (19 df) and over the other symbols (30 df), for codes from `source`. */
  function slicePValues(source: RandomSource): { slot: number; symbols: number } {
    const range = rangeForShare(3, 1, 7);
    const codes = generateCodes(200_000, source, undefined, range);
    const span = range.end - range.start;
    const buckets = new Array<number>(20).fill(0);
    const symbols = new Array<number>(31).fill(0);
    for (const code of codes) {
      buckets[Math.floor(((slotOf(code) - range.start) * 20) / span)]!++;
      for (let i = RANGE_SYMBOLS; i < 12; i++) symbols[CODE_ALPHABET.indexOf(code[i]!)]!++;
    }
    // bucket i covers the slots [ceil(i·span/20), ceil((i+1)·span/20)) of the slice
    const bucketShare = (i: number) => (Math.ceil(((i + 1) * span) / 20) - Math.ceil((i * span) / 20)) / span;
    return {
      slot: chiSquarePValue(chiSquare(buckets, (i) => codes.length * bucketShare(i)), 19),
      symbols: chiSquarePValue(chiSquare(symbols, () => (codes.length * (12 - RANGE_SYMBOLS)) / 31), 30),
    };
  }

  it('is uniform within the slice: χ² over 20 buckets of the slot and over the other symbols (p > 1e-9)', () => {
    const p = slicePValues(new CryptoRandomSource());
    expect(p.slot).toBeGreaterThan(SIGNIFICANCE);
    expect(p.symbols).toBeGreaterThan(SIGNIFICANCE);
  });

  it('the slice χ² checks reject a biased generator and accept a seeded fair one', () => {
    const biased = slicePValues(new BiasedSource(new SeededSource(11), 0, 0.01));
    expect(Math.max(biased.slot, biased.symbols)).toBeLessThan(SIGNIFICANCE);
    const fair = slicePValues(new SeededSource(11));
    expect(Math.min(fair.slot, fair.symbols)).toBeGreaterThan(SIGNIFICANCE);
  });

  it('rejects 32-bit draws above the largest multiple of the span (no modulo bias)', () => {
    // span 3: 2^32 mod 3 = 1, so 0xFFFFFFFF must be rejected; the next draw 0x00000002 → slot start + 2
    const source = new ReplaySource([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2, ...new Array(6).fill(0)]);
    const [code] = generateCodes(1, source, undefined, { start: 100, end: 103 });
    expect(slotOf(code!)).toBe(102);
  });

  it('refuses an empty or out-of-space slice and formats too short to split', () => {
    const source = new CryptoRandomSource();
    expect(() => generateCodes(1, source, undefined, { start: 5, end: 5 })).toThrow(RangeError);
    expect(() => generateCodes(1, source, undefined, { start: 0, end: RANGE_SLOTS + 1 })).toThrow(RangeError);
    expect(() => generateCodes(1, source, undefined, { start: -1, end: 3 })).toThrow(RangeError);
    expect(() => generateCodes(1, source, { prefix: '', length: 5 }, { start: 0, end: 3 })).toThrow(RangeError);
  });
});
