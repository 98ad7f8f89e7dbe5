import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string | Buffer) => createHash('sha256').update(value).digest();

/**
 * The one equality check for secrets, tokens, signatures and hashes: both sides are hashed to the
 * same length first, so neither their content nor their lengths show in the time it takes.
 */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  return timingSafeEqual(digest(a), digest(b));
}
