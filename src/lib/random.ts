import { randomFillSync } from 'node:crypto';

/**
 * Injected source of random bytes. Production uses the OS CSPRNG (docs/programs.md); tests may pass a
 * deterministic or adversarial source (docs/guarantees.md forced collisions).
 */
export interface RandomSource {
  fill(target: Uint8Array): void;
}

const POOL_SIZE = 64 * 1024;

/**
 * The OS CSPRNG read in large pooled chunks: one `randomFillSync` syscall serves many small reads.
 * Bytes are handed out once and never reused.
 */
export class CryptoRandomSource implements RandomSource {
  private pool = new Uint8Array(POOL_SIZE);
  private offset = POOL_SIZE;

  fill(target: Uint8Array): void {
    if (target.length >= POOL_SIZE) {
      randomFillSync(target);
      return;
    }
    if (this.offset + target.length > POOL_SIZE) {
      randomFillSync(this.pool);
      this.offset = 0;
    }
    target.set(this.pool.subarray(this.offset, this.offset + target.length));
    // Wipe what was handed out so the pool never holds bytes someone else already has.
    this.pool.fill(0, this.offset, this.offset + target.length);
    this.offset += target.length;
  }
}

export const cryptoRandom: RandomSource = new CryptoRandomSource();

export function randomBytes(source: RandomSource, length: number): Uint8Array {
  const out = new Uint8Array(length);
  source.fill(out);
  return out;
}
