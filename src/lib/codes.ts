import type { RandomSource } from './random.js';

/**
 * Voucher code format (api.md §5.1): 12 random symbols from a 31-symbol alphabet with no 0/O, 1/I
 * or U, then one check symbol, 13 characters in all, ~59 bits of randomness.
 */
export const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTVWXYZ';
export const CODE_RADIX = 31;
export const RANDOM_SYMBOLS = 12;
export const CODE_LENGTH = RANDOM_SYMBOLS + 1;

/**
 * Largest multiple of 31 that fits in a byte is 248 = 8 × 31: bytes 248..255 are rejected (rejection
 * sampling) so `byte % 31` is exactly uniform; reducing them modulo 31 would bias symbols 0..7.
 */
export const REJECT_FROM = 248;

const SYMBOL_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < CODE_ALPHABET.length; i++) SYMBOL_VALUE[CODE_ALPHABET.charCodeAt(i)] = i;
const SYMBOL_CHAR = Array.from(CODE_ALPHABET, (c) => c.charCodeAt(0));

/**
 * Check symbol: the weighted sum Σ wᵢ·vᵢ over all 13 positions (wᵢ = i + 1) must be ≡ 0 (mod 31).
 * 31 is prime and the weights are distinct and non-zero mod 31, so a single substitution changes the
 * sum by wᵢ·Δ ≢ 0 and an adjacent swap by (wᵢ − wᵢ₊₁)·Δ = ∓Δ ≢ 0: both are always detected.
 */
const CHECK_WEIGHT = CODE_LENGTH; // weight of the check symbol
const INVERSE_CHECK_WEIGHT = modInverse(CHECK_WEIGHT, CODE_RADIX);

function modInverse(a: number, m: number): number {
  for (let x = 1; x < m; x++) if ((a * x) % m === 1) return x;
  throw new Error(`${a} has no inverse mod ${m}`);
}

/** The check value for the given symbol values (positions 0..n-1, weights 1..n). */
export function checkValue(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (i + 1) * values[i]!;
  const partial = sum % CODE_RADIX;
  // Solve partial + w·c ≡ 0 (mod 31) for c.
  return ((CODE_RADIX - partial) % CODE_RADIX) * INVERSE_CHECK_WEIGHT % CODE_RADIX;
}

/**
 * Generates `count` codes (not de-duplicated: the database's unique index decides; see generation).
 * Random bytes are read in bulk from the injected source.
 */
export function generateCodes(count: number, random: RandomSource): string[] {
  const out = new Array<string>(count);
  const values = new Uint8Array(RANDOM_SYMBOLS);
  const chars = new Array<number>(CODE_LENGTH);
  // ~3.1% of bytes are rejected; ask for a little more than needed and top up when short.
  let buffer = new Uint8Array(Math.min(1 << 20, Math.ceil(count * RANDOM_SYMBOLS * 1.05) + 64));
  random.fill(buffer);
  let pos = 0;
  for (let n = 0; n < count; n++) {
    let filled = 0;
    let sum = 0;
    while (filled < RANDOM_SYMBOLS) {
      if (pos === buffer.length) {
        buffer = new Uint8Array(Math.min(1 << 20, Math.ceil((count - n) * RANDOM_SYMBOLS * 1.05) + 64));
        random.fill(buffer);
        pos = 0;
      }
      const byte = buffer[pos++]!;
      if (byte >= REJECT_FROM) continue;
      const v = byte % CODE_RADIX;
      values[filled] = v;
      chars[filled] = SYMBOL_CHAR[v]!;
      filled++;
      sum += filled * v;
    }
    const partial = sum % CODE_RADIX;
    chars[RANDOM_SYMBOLS] = SYMBOL_CHAR[(((CODE_RADIX - partial) % CODE_RADIX) * INVERSE_CHECK_WEIGHT) % CODE_RADIX]!;
    out[n] = String.fromCharCode(...chars);
  }
  return out;
}

/**
 * api.md §5.1 input normalization: case-insensitive, spaces and dashes ignored. Only ASCII letters
 * are upper-cased: `toUpperCase()` would turn non-ASCII look-alikes into alphabet symbols (ſ→S,
 * ß→SS, ﬆ→ST) and accept forged spellings of a code (found by test/unit/codes-fuzz.test.ts).
 */
export function normalizeCode(input: string): string {
  return input.replace(/[\s-]+/g, '').replace(/[a-z]+/g, (s) => s.toUpperCase());
}

/**
 * True when `code` (already normalized) has the right length, only alphabet symbols, and a correct
 * check symbol. Callers reject a false result without touching the database (quality.md C7).
 */
export function isWellFormedCode(code: string): boolean {
  if (code.length !== CODE_LENGTH) return false;
  let sum = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    const v = c < 128 ? SYMBOL_VALUE[c]! : -1;
    if (v < 0) return false;
    sum += (i + 1) * v;
  }
  return sum % CODE_RADIX === 0;
}
