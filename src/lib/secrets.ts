import { createHash, scrypt, type BinaryLike } from 'node:crypto';
import { constantTimeEqual } from './constant-time.js';
import { cryptoRandom, randomBytes, type RandomSource } from './random.js';

/** 256 random bits, URL-safe: bearer tokens, client secrets. */
export function randomToken(source: RandomSource = cryptoRandom, bytes = 32): string {
  return Buffer.from(randomBytes(source, bytes)).toString('base64url');
}

/**
 * SHA-256 for high-entropy machine secrets (tokens, client secrets: 256 random bits, so a fast hash
 * is safe against brute force and lets a token be found by its hash through an index).
 */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

// Passwords (low entropy) get a slow, salted hash: scrypt, RFC 7914 parameters N=2^15, r=8, p=1.
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const KEY_LENGTH = 32;

function scryptAsync(password: BinaryLike, salt: BinaryLike): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, SCRYPT, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string, source: RandomSource = cryptoRandom): Promise<string> {
  const salt = Buffer.from(randomBytes(source, 16));
  const key = await scryptAsync(password.normalize('NFKC'), salt);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  const key = await scryptAsync(password.normalize('NFKC'), salt);
  return constantTimeEqual(key, expected);
}
