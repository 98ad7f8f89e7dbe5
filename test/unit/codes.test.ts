import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CODE_ALPHABET,
  CODE_LENGTH,
  REJECT_FROM,
  generateCodes,
  guessOdds,
  isWellFormedCode,
  MIN_RANDOM_SYMBOLS,
  minimumSafeLength,
  normalizeCode,
} from '../../src/lib/codes.js';
import { CryptoRandomSource, type RandomSource } from '../../src/lib/random.js';
import { BiasedSource, chiSquare, chiSquarePValue, SeededSource, SIGNIFICANCE } from '../helpers/chi-square.js';
import { ReplaySource } from '../helpers/replay-source.js';

const FORMAT = /^[23456789ABCDEFGHJKLMNPQRSTVWXYZ]{13}$/;

describe('code format (docs/programs.md)', () => {
  it('has the 31-symbol alphabet without 0, O, 1, I, U', () => {
    expect(CODE_ALPHABET).toHaveLength(31);
    expect(new Set(CODE_ALPHABET).size).toBe(31);
    for (const c of '0O1IU') expect(CODE_ALPHABET).not.toContain(c);
  });

  it('generates 13-character codes that pass their check symbol', () => {
    const codes = generateCodes(10_000, new CryptoRandomSource());
    expect(codes).toHaveLength(10_000);
    for (const code of codes) {
      expect(code).toMatch(FORMAT);
      expect(isWellFormedCode(code)).toBe(true);
    }
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('rejects every single substitution and every adjacent swap (C7)', () => {
    const codes = generateCodes(300, new CryptoRandomSource());
    let checked = 0;
    for (const code of codes) {
      for (let i = 0; i < CODE_LENGTH; i++) {
        for (const c of CODE_ALPHABET) {
          if (c === code[i]) continue;
          expect(isWellFormedCode(code.slice(0, i) + c + code.slice(i + 1))).toBe(false);
          checked++;
        }
        if (i < CODE_LENGTH - 1 && code[i] !== code[i + 1]) {
          const swapped = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
          expect(isWellFormedCode(swapped)).toBe(false);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(300 * 13 * 30);
  });

  it('normalizes case, spaces and dashes to the same code', () => {
    const [code] = generateCodes(1, new CryptoRandomSource());
    const messy = `${code!.slice(0, 4).toLowerCase()}-${code!.slice(4, 8)} ${code!.slice(8).toLowerCase()}`;
    expect(normalizeCode(messy)).toBe(code);
    expect(isWellFormedCode(normalizeCode(messy))).toBe(true);
  });

  it('rejects impossible lengths and foreign characters', () => {
    const [code] = generateCodes(1, new CryptoRandomSource());
    expect(isWellFormedCode(code!.slice(0, 8))).toBe(false);
    expect(isWellFormedCode(code!.repeat(3))).toBe(false);
    expect(isWellFormedCode(code!.replace(/^./, '0'))).toBe(false);
    expect(isWellFormedCode(code!.replace(/^./, 'é'))).toBe(false);
    expect(isWellFormedCode('')).toBe(false);
  });

  it('property: any string of 12 alphabet symbols has exactly one valid check symbol', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...CODE_ALPHABET), { minLength: 12, maxLength: 12 }), (symbols) => {
        const body = symbols.join('');
        const valid = [...CODE_ALPHABET].filter((c) => isWellFormedCode(body + c));
        expect(valid).toHaveLength(1);
      }),
    );
  });
});

describe('code formats (docs/programs.md, X)', () => {
  const formats = [
    { prefix: 'RYDE', length: 12 },
    { prefix: '', length: 8 },
    { prefix: 'ZZ9', length: 20 },
    { prefix: 'ABCDEFGH', length: 21 },
  ];

  it.each(formats)('prefix %o: codes carry the prefix, the length and a valid check symbol', (format) => {
    const codes = generateCodes(2000, new CryptoRandomSource(), format);
    for (const code of codes) {
      expect(code.startsWith(format.prefix)).toBe(true);
      expect(code).toHaveLength(format.prefix.length + format.length + 1);
      expect(isWellFormedCode(code)).toBe(true);
    }
    // Every single substitution and adjacent swap is still caught at every position.
    for (const code of codes.slice(0, 20)) {
      for (let i = 0; i < code.length; i++) {
        for (const c of CODE_ALPHABET) if (c !== code[i]) expect(isWellFormedCode(code.slice(0, i) + c + code.slice(i + 1))).toBe(false);
        if (i + 1 < code.length && code[i] !== code[i + 1]) expect(isWellFormedCode(code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2))).toBe(false);
      }
    }
  });

  it('refuses formats beyond 30 symbols or with foreign prefix characters', () => {
    expect(() => generateCodes(1, new CryptoRandomSource(), { prefix: 'ABCDEFGH', length: 22 })).toThrow(RangeError);
    expect(() => generateCodes(1, new CryptoRandomSource(), { prefix: 'RIDE-', length: 12 })).toThrow(RangeError);
    expect(() => generateCodes(1, new CryptoRandomSource(), { prefix: 'O', length: 12 })).toThrow(RangeError);
  });

  it('guessing odds and the minimum safe length', () => {
    expect(guessOdds(1, 1)).toBeCloseTo(1 / 31);
    expect(guessOdds(31 ** 3, 3)).toBe(1);
    // 30,000 live codes with at most 1e-9 odds need 31^L ≥ 3e13: L = 10.
    expect(minimumSafeLength(30_000, 1e-9)).toBe(10);
    expect(minimumSafeLength(1_000_000, 1e-9)).toBe(11);
    expect(minimumSafeLength(1, 1e-9)).toBe(MIN_RANDOM_SYMBOLS);
    expect(guessOdds(1_000_000, 12)).toBeLessThan(1e-9);
  });
});

describe('randomness (docs/programs.md, docs/guarantees.md)', () => {
  it('rejects bytes 248..255 instead of reducing them modulo 31', () => {
    // Every high byte is skipped; the low bytes 0..11 map to the first 12 symbols in order.
    const high = Array.from({ length: 256 - REJECT_FROM }, (_, i) => REJECT_FROM + i);
    const source = new ReplaySource([...high, 0, ...high, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const [code] = generateCodes(1, source);
    expect(code!.slice(0, 12)).toBe(CODE_ALPHABET.slice(0, 12));
    // 248 % 31 = 0 would have produced '2' repeatedly if the bytes were reduced.
    expect(isWellFormedCode(code!)).toBe(true);
  });

  it('maps byte b < 248 to symbol b mod 31', () => {
    const source = new ReplaySource([31, 62, 93, 124, 155, 186, 217, 30, 61, 92, 123, 154]);
    const [code] = generateCodes(1, source);
    expect(code!.slice(0, 12)).toBe('2222222ZZZZZ');
  });

  /** p-value of Pearson's χ² (30 degrees of freedom) over ≥ 10^6 symbols of codes drawn from `source`. */
  function symbolUniformityPValue(source: RandomSource): number {
    const codes = generateCodes(Math.ceil(1_000_000 / 12), source);
    const counts = new Array<number>(31).fill(0);
    let n = 0;
    for (const code of codes) {
      for (let i = 0; i < 12; i++) {
        counts[CODE_ALPHABET.indexOf(code[i]!)]!++;
        n++;
      }
    }
    expect(n).toBeGreaterThanOrEqual(1_000_000);
    return chiSquarePValue(chiSquare(counts, () => n / 31), 30);
  }

  it('χ² over 10^6 symbols of the real CSPRNG is consistent with uniform (p > 1e-9)', () => {
    expect(symbolUniformityPValue(new CryptoRandomSource())).toBeGreaterThan(SIGNIFICANCE);
  });

  it('the χ² check rejects a biased generator (one byte value 0.2 % too often) and accepts a seeded fair one', () => {
    expect(symbolUniformityPValue(new BiasedSource(new SeededSource(7), 0, 0.002))).toBeLessThan(SIGNIFICANCE);
    expect(symbolUniformityPValue(new SeededSource(7))).toBeGreaterThan(SIGNIFICANCE);
  });
});
