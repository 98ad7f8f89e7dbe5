/**
 * Pearson's χ² goodness-of-fit for uniformity tests of the code generator. Tests compare the
 * p-value with SIGNIFICANCE, small enough that a sound CSPRNG fails about once in 10^9 runs.
 */
export const SIGNIFICANCE = 1e-9;

/** Σ (observed − expected)² / expected. */
export function chiSquare(counts: number[], expectedOf: (i: number) => number): number {
  return counts.reduce((sum, c, i) => sum + (c - expectedOf(i)) ** 2 / expectedOf(i), 0);
}

/** P(X ≥ x) for X ~ χ²(df): the regularized upper incomplete gamma Q(df/2, x/2). */
export function chiSquarePValue(x: number, df: number): number {
  return upperGammaQ(df / 2, x / 2);
}

function logGamma(z: number): number {
  // Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for z > 0.
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  const zz = z - 1;
  let a = c[0]!;
  const t = zz + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (zz + i);
  return 0.5 * Math.log(2 * Math.PI) + (zz + 0.5) * Math.log(t) - t + Math.log(a);
}

function upperGammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const front = Math.exp(-x + a * Math.log(x) - logGamma(a));
  if (x < a + 1) {
    // Series for P(a, x); Q = 1 − P.
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 1000 && Math.abs(term) > Math.abs(sum) * 1e-16; n++) {
      term *= x / (a + n);
      sum += term;
    }
    return 1 - front * sum;
  }
  // Continued fraction for Q(a, x) (modified Lentz).
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return front * h;
}

/** A seeded, deterministic byte source (xorshift32): reproducible inputs for the χ² tests themselves. */
export class SeededSource {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.state = x;
    return x;
  }
  fill(target: Uint8Array): void {
    for (let k = 0; k < target.length; k++) target[k] = this.next() & 0xff;
  }
}

/** Wraps a source so that, with probability `rate`, a byte is replaced by `value`: a biased generator. */
export class BiasedSource {
  constructor(
    private readonly inner: SeededSource,
    private readonly value: number,
    private readonly rate: number,
  ) {}
  fill(target: Uint8Array): void {
    this.inner.fill(target);
    for (let k = 0; k < target.length; k++) if (this.inner.next() / 2 ** 32 < this.rate) target[k] = this.value;
  }
}
