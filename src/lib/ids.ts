import { cryptoRandom, type RandomSource } from './random.js';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';

/**
 * UUIDv7 (RFC 9562 §5.7): 48-bit millisecond timestamp, then 74 random bits. Within one process ids
 * are strictly increasing (the 12-bit rand_a field is used as a counter, RFC 9562 §6.2 method 1), so
 * keyset paging by id follows creation order.
 */
export class IdGenerator {
  private lastMs = -1;
  private counter = 0;
  private readonly bytes = new Uint8Array(16);

  constructor(
    private readonly clock: Clock = systemClock,
    private readonly random: RandomSource = cryptoRandom,
  ) {}

  next(): string {
    let ms = this.clock.now();
    if (ms > this.lastMs) {
      this.lastMs = ms;
      this.random.fill(this.bytes);
      this.counter = ((this.bytes[6]! & 0x0f) << 8) | this.bytes[7]!;
      this.counter &= 0x7ff; // start in the lower half so there is room to count up
    } else {
      ms = this.lastMs;
      this.counter += 1;
      if (this.counter > 0xfff) {
        // Counter exhausted within one millisecond: borrow the next millisecond (monotonic, RFC 9562 §6.2).
        this.lastMs += 1;
        ms = this.lastMs;
        this.counter = 0;
      }
      this.random.fill(this.bytes);
    }
    const b = this.bytes;
    b[0] = Math.floor(ms / 2 ** 40) & 0xff;
    b[1] = Math.floor(ms / 2 ** 32) & 0xff;
    b[2] = (ms >>> 24) & 0xff;
    b[3] = (ms >>> 16) & 0xff;
    b[4] = (ms >>> 8) & 0xff;
    b[5] = ms & 0xff;
    b[6] = 0x70 | ((this.counter >>> 8) & 0x0f);
    b[7] = this.counter & 0xff;
    b[8] = 0x80 | (b[8]! & 0x3f);
    return formatUuid(b);
  }
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function formatUuid(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < 16; i++) {
    s += HEX[b[i]!];
    if (i === 3 || i === 5 || i === 7 || i === 9) s += '-';
  }
  return s;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}
