import type { RandomSource } from './random.js';

/**
 * Voucher code format (docs/programs.md): 12 random symbols from a 31-symbol alphabet with no 0/O, 1/I
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
 * Check symbol: the weighted sum Σ wᵢ·vᵢ over every position of the code (wᵢ = i + 1, prefix
 * included) must be ≡ 0 (mod 31). 31 is prime and the weights are distinct and non-zero mod 31 while
 * the code has at most 30 symbols, so a single substitution changes the sum by wᵢ·Δ ≢ 0 and an
 * adjacent swap by (wᵢ − wᵢ₊₁)·Δ = ∓Δ ≢ 0: both are always detected.
 */
export const MAX_CODE_LENGTH = CODE_RADIX - 1;

/** (X) A program's code format: an optional prefix (alphabet symbols) and the number of random symbols. */
export interface CodeFormat {
  prefix: string;
  length: number;
}

export const DEFAULT_CODE_FORMAT: CodeFormat = Object.freeze({ prefix: '', length: RANDOM_SYMBOLS });
export const MIN_RANDOM_SYMBOLS = 8;

const INVERSE = new Int32Array(CODE_RADIX);
for (let a = 1; a < CODE_RADIX; a++) for (let x = 1; x < CODE_RADIX; x++) if ((a * x) % CODE_RADIX === 1) INVERSE[a] = x;

/** Whether every character is an alphabet symbol (prefixes are checked with this). */
export function isAlphabetString(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || SYMBOL_VALUE[c]! < 0) return false;
  }
  return true;
}

/**
 * Leading random symbols that a {@link CodeRange} splits on: 31⁶ = 887,503,681 slots, every format
 * has at least MIN_RANDOM_SYMBOLS (8) random symbols.
 */
export const RANGE_SYMBOLS = 6;
export const RANGE_SLOTS = CODE_RADIX ** RANGE_SYMBOLS;

/**
 * A slice [start, end) of the code space by the value of the first RANGE_SYMBOLS random symbols
 * (which sort like the codes: the alphabet is in ASCII order). A large job gives each chunk the
 * slice proportional to its share of the job, so chunks land in successive stretches of the unique
 * code index instead of all over it (bench G2), while the job's codes keep a uniform density over the
 * whole space: any guess hits with the same odds as for independent uniform codes.
 */
export interface CodeRange {
  start: number;
  end: number;
}

/** The slice for codes [done, done + count) of a job of `total` codes (the whole space if that slice would be empty). */
export function rangeForShare(done: number, count: number, total: number): CodeRange {
  const start = Math.floor((done * RANGE_SLOTS) / total);
  const end = Math.floor(((done + count) * RANGE_SLOTS) / total);
  return end > start ? { start, end } : { start: 0, end: RANGE_SLOTS };
}

const U32 = 2 ** 32;

/**
 * Generates `count` codes of the given format (not de-duplicated: the database's unique index
 * decides; see generation). Random bytes are read in bulk from the injected source. With a `range`,
 * the first RANGE_SYMBOLS random symbols are drawn uniformly from that slice (rejection sampling on
 * 32-bit values) and the rest as usual.
 */
export function generateCodes(count: number, random: RandomSource, format: CodeFormat = DEFAULT_CODE_FORMAT, range?: CodeRange): string[] {
  const { prefix, length } = format;
  const total = prefix.length + length + 1;
  if (length < 1 || total > MAX_CODE_LENGTH || !isAlphabetString(prefix)) throw new RangeError('invalid code format');
  let prefixSum = 0;
  const chars = new Array<number>(total);
  for (let i = 0; i < prefix.length; i++) {
    chars[i] = prefix.charCodeAt(i);
    prefixSum += (i + 1) * SYMBOL_VALUE[chars[i]!]!;
  }
  const inverseCheckWeight = INVERSE[total]!;
  const ranged = range !== undefined && !(range.start === 0 && range.end === RANGE_SLOTS);
  if (ranged && !(Number.isInteger(range.start) && Number.isInteger(range.end) && range.start >= 0 && range.start < range.end && range.end <= RANGE_SLOTS && length >= RANGE_SYMBOLS)) {
    throw new RangeError('invalid code range');
  }
  const span = ranged ? range.end - range.start : 0;
  const acceptBelow = ranged ? U32 - (U32 % span) : 0;
  const out = new Array<string>(count);
  // ~3.1% of bytes are rejected; ask for a little more than needed and top up when short.
  const bytesPerCode = ranged ? length - RANGE_SYMBOLS + 4 : length;
  let buffer = new Uint8Array(Math.min(1 << 20, Math.ceil(count * bytesPerCode * 1.05) + 64));
  random.fill(buffer);
  let pos = 0;
  const refill = (remaining: number) => {
    buffer = new Uint8Array(Math.min(1 << 20, Math.ceil(remaining * bytesPerCode * 1.05) + 64));
    random.fill(buffer);
    pos = 0;
  };
  for (let n = 0; n < count; n++) {
    let filled = 0;
    let sum = prefixSum;
    if (ranged) {
      let u: number;
      do {
        if (pos + 4 > buffer.length) refill(count - n);
        u = ((buffer[pos]! << 24) | (buffer[pos + 1]! << 16) | (buffer[pos + 2]! << 8) | buffer[pos + 3]!) >>> 0;
        pos += 4;
      } while (u >= acceptBelow);
      let slot = range.start + (u % span);
      for (let k = RANGE_SYMBOLS - 1; k >= 0; k--) {
        const v = slot % CODE_RADIX;
        slot = (slot - v) / CODE_RADIX;
        const at = prefix.length + k;
        chars[at] = SYMBOL_CHAR[v]!;
        sum += (at + 1) * v;
      }
      filled = RANGE_SYMBOLS;
    }
    while (filled < length) {
      if (pos === buffer.length) refill(count - n);
      const byte = buffer[pos++]!;
      if (byte >= REJECT_FROM) continue;
      const v = byte % CODE_RADIX;
      const at = prefix.length + filled;
      chars[at] = SYMBOL_CHAR[v]!;
      filled++;
      sum += (at + 1) * v;
    }
    const partial = sum % CODE_RADIX;
    chars[total - 1] = SYMBOL_CHAR[(((CODE_RADIX - partial) % CODE_RADIX) * inverseCheckWeight) % CODE_RADIX]!;
    out[n] = String.fromCharCode(...chars);
  }
  return out;
}

/**
 * Guessing odds (docs/programs.md, X): the chance that one random guess of the right shape hits one of
 * `liveCodes` codes with `length` random symbols. The smallest safe length keeps it ≤ `maxOdds`.
 */
export function guessOdds(liveCodes: number, length: number): number {
  return liveCodes / CODE_RADIX ** length;
}

export function minimumSafeLength(liveCodes: number, maxOdds: number): number {
  let length = MIN_RANDOM_SYMBOLS;
  while (guessOdds(liveCodes, length) > maxOdds) length++;
  return length;
}

/**
 * docs/programs.md input normalization: case-insensitive, spaces and dashes ignored. Only ASCII letters
 * are upper-cased: `toUpperCase()` would turn non-ASCII look-alikes into alphabet symbols (ſ→S,
 * ß→SS, ﬆ→ST) and accept forged spellings of a code (found by test/unit/codes-fuzz.test.ts).
 */
export function normalizeCode(input: string): string {
  return input.replace(/[\s-]+/g, '').replace(/[a-z]+/g, (s) => s.toUpperCase());
}

/**
 * True when `code` (already normalized) has a possible length (9 to 30 symbols: any program's
 * format), only alphabet symbols, and a correct check symbol. Callers reject a false result without touching the database (docs/guarantees.md).
 */
export function isWellFormedCode(code: string): boolean {
  if (code.length < MIN_RANDOM_SYMBOLS + 1 || code.length > MAX_CODE_LENGTH) return false;
  let sum = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    const v = c < 128 ? SYMBOL_VALUE[c]! : -1;
    if (v < 0) return false;
    sum += (i + 1) * v;
  }
  return sum % CODE_RADIX === 0;
}
