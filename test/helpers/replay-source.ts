import type { RandomSource } from '../../src/lib/random.js';

/** Replays a fixed byte sequence forever (deterministic tests of the code generator). */
export class ReplaySource implements RandomSource {
  private i = 0;
  constructor(private readonly bytes: number[]) {}
  fill(target: Uint8Array): void {
    for (let k = 0; k < target.length; k++) target[k] = this.bytes[this.i++ % this.bytes.length]!;
  }
}
