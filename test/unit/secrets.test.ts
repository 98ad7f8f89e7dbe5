import { describe, expect, it } from 'vitest';
import { constantTimeEqual } from '../../src/lib/constant-time.js';
import { hashPassword, verifyPassword } from '../../src/lib/secrets.js';

describe('password hashing', () => {
  it('verifies the right password and rejects others; salts differ', async () => {
    const a = await hashPassword('correct horse battery staple');
    const b = await hashPassword('correct horse battery staple');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$/);
    expect(await verifyPassword('correct horse battery staple', a)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', a)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
  });

  it('compares strings of any length in constant time', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });
});
