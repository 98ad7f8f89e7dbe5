import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CODE_ALPHABET, generateCodes, isWellFormedCode, normalizeCode } from '../../src/lib/codes.js';
import { cryptoRandom } from '../../src/lib/random.js';

/**
 * Fuzz of the code normalizer and check-symbol validator (docs/programs.md): arbitrary unicode never
 * throws, and normalize ∘ validate agrees with a deliberately naive reference implementation.
 */
function refNormalize(input: string): string {
  let out = '';
  for (const ch of input) {
    if (/\s/u.test(ch) || ch === '-') continue; // spaces and dashes are ignored
    out += ch >= 'a' && ch <= 'z' ? String.fromCharCode(ch.charCodeAt(0) - 32) : ch; // ASCII case only
  }
  return out;
}

/** Codes of any program format have 9 to 30 symbols (docs/programs.md code_format, X). */
function refWellFormed(code: string): boolean {
  if (code.length < 9 || code.length > 30) return false;
  let sum = 0;
  for (let i = 0; i < code.length; i++) {
    const v = CODE_ALPHABET.indexOf(code[i]!);
    if (v < 0) return false;
    sum += (i + 1) * v;
  }
  return sum % 31 === 0;
}

const anyString = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.string({ unit: fc.constantFrom(...'23456789abcdefghjkmnpqrstvwxyzABCDEFGHJKLMNPQRSTVWXYZ01IOUiou -\t\u00a0ſßﬅﬆıK') }));

/** A real code, then decorated the way people type it: case, dashes, spaces. */
const decoratedCode = fc
  .tuple(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.array(fc.constantFrom(' ', '-', '\t', '\u00a0', ''), { minLength: 14, maxLength: 14 }), fc.boolean())
  .map(([seed, seps, lower]) => {
    const [code] = generateCodes(1, { fill: (b: Uint8Array) => { let x = seed || 1; for (let i = 0; i < b.length; i++) { x = (x * 1103515245 + 12345) >>> 0; b[i] = x >>> 24; } } });
    const text = lower ? code!.toLowerCase() : code!;
    return Array.from(text).map((c, i) => seps[i] + c).join('') + seps[13];
  });

/** A real code with one symbol replaced by an arbitrary (often non-ASCII) string. */
const mutatedCode = fc
  .tuple(decoratedCode, fc.nat(), fc.oneof(fc.string({ unit: 'binary', maxLength: 2 }), fc.constantFrom('ſ', 'ß', 'ﬅ', 'ﬆ', 'ı', 'K', 'ｓ')))
  .map(([code, at, sub]) => {
    const i = at % code.length;
    return code.slice(0, i) + sub + code.slice(i + 1);
  });

describe('code normalizer and check-symbol validator fuzz', () => {
  it('never throws on arbitrary unicode, and agrees with the reference', () => {
    fc.assert(
      fc.property(fc.oneof(anyString, mutatedCode, decoratedCode, decoratedCode.map((c) => c.replace(/s/i, 'ſ').replace(/ST/i, 'ﬆ'))), (s) => {
        const n = normalizeCode(s);
        expect(isWellFormedCode(n)).toBe(refWellFormed(refNormalize(s)));
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts every generated code however it is typed (case, dashes, spaces)', () => {
    fc.assert(
      fc.property(decoratedCode, (s) => {
        expect(isWellFormedCode(normalizeCode(s))).toBe(true);
        expect(refWellFormed(refNormalize(s))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects non-ASCII look-alikes that uppercase into alphabet letters (ſ→S, ß→SS, ﬆ→ST)', () => {
    const [code] = generateCodes(1, cryptoRandom);
    for (const [ascii, lookalike] of [['S', 'ſ'], ['SS', 'ß'], ['ST', 'ﬆ']] as const) {
      const at = code!.indexOf(ascii);
      if (at < 0) continue;
      const forged = code!.slice(0, at) + lookalike + code!.slice(at + ascii.length);
      expect(isWellFormedCode(normalizeCode(forged)), forged).toBe(false);
    }
    // Deterministic witnesses independent of the random code above.
    const s = Array.from({ length: 40 }, (_, i) => generateCodes(1, { fill: (b: Uint8Array) => b.fill((i * 7 + 3) % 248) })[0]!).find((c) => c.includes('S'));
    expect(s).toBeDefined();
    expect(isWellFormedCode(normalizeCode(s!.replace('S', 'ſ')))).toBe(false);
    expect(isWellFormedCode(normalizeCode(s!.replace('S', 's')))).toBe(true);
  });
});
