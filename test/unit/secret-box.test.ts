import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { keyId, SecretBox, SecretBoxError } from '../../src/lib/secret-box.js';

const A = Buffer.alloc(32, 1);
const B = Buffer.alloc(32, 2);
const PURPOSE = 'webhook_endpoints.signing_key';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    return (err as ConfigError).problems;
  }
}

describe('secret box (AES-256-GCM envelope)', () => {
  it('round trip; a fresh IV per value; the envelope names the key', () => {
    const box = new SecretBox(A);
    const one = box.seal('whsec_secret', PURPOSE);
    const two = box.seal('whsec_secret', PURPOSE);
    expect(one).not.toBe(two);
    expect(one).toMatch(/^v1:[A-Za-z0-9_-]+:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/);
    expect(one.split(':')[1]).toBe(keyId(A));
    expect(one).not.toContain('secret');
    expect(box.open(one, PURPOSE)).toBe('whsec_secret');
    expect(box.open(box.seal('', PURPOSE), PURPOSE)).toBe('');
  });

  it('tampered ciphertext, tag or IV, or another purpose: an error, never other plaintext', () => {
    const box = new SecretBox(A);
    const sealed = box.seal('{"code_text":"ABCD"}', PURPOSE);
    const parts = sealed.split(':');
    for (const index of [2, 3, 4]) {
      const bytes = Buffer.from(parts[index]!, 'base64url');
      bytes[0] = bytes[0]! ^ 1;
      const tampered = [...parts.slice(0, index), bytes.toString('base64url'), ...parts.slice(index + 1)].join(':');
      expect(() => box.open(tampered, PURPOSE)).toThrow(SecretBoxError);
    }
    expect(() => box.open(sealed, 'idempotency_keys.response_body')).toThrow(/does not authenticate/);
  });

  it('wrong key: an error naming SECRETS_KEY_PREVIOUS; a previous key opens during a rotation', () => {
    const sealedA = new SecretBox(A).seal('old', PURPOSE);
    expect(() => new SecretBox(B).open(sealedA, PURPOSE)).toThrow(/SECRETS_KEY_PREVIOUS/);
    // Same key id, different key (a forged envelope): authentication fails.
    const forged = sealedA.replace(`:${keyId(A)}:`, `:${keyId(B)}:`);
    expect(() => new SecretBox(B).open(forged, PURPOSE)).toThrow(/does not authenticate/);
    const rotating = new SecretBox(B, [A]);
    expect(rotating.open(sealedA, PURPOSE)).toBe('old');
    expect(rotating.needsReseal(sealedA)).toBe(true);
    expect(rotating.needsReseal(rotating.seal('new', PURPOSE))).toBe(false);
    expect(rotating.needsReseal('whsec_legacy')).toBe(true);
  });

  it('envelope parse errors', () => {
    const box = new SecretBox(A);
    for (const bad of ['', 'v1:', 'v2:a:b:c:d', 'v1:a:b:c', 'v1:a:b:c:d:e', `v1:${keyId(A)}:AAAA:AAAA:AAAA`, `v1:${keyId(A)}:***:AAAA:AAAA`]) {
      expect(() => box.open(bad, PURPOSE), bad).toThrow(SecretBoxError);
    }
    // Legacy plaintext reads as is; envelopes are opened.
    expect(box.read('whsec_legacy', PURPOSE)).toBe('whsec_legacy');
    expect(() => new SecretBox(Buffer.alloc(16))).toThrow(/32 bytes/);
  });
});

describe('SECRETS_KEY configuration', () => {
  it('hex, base64 and a key file are accepted and agree', () => {
    const dir = mkdtempSync(join(tmpdir(), 'voucherd-key-'));
    writeFileSync(join(dir, 'key'), `${A.toString('base64')}\n`);
    expect(loadConfig({ SECRETS_KEY: A.toString('hex') }).secretsKey).toEqual(A);
    expect(loadConfig({ SECRETS_KEY: A.toString('base64') }).secretsKey).toEqual(A);
    expect(loadConfig({ SECRETS_KEY_FILE: join(dir, 'key') }).secretsKey).toEqual(A);
    expect(loadConfig({ SECRETS_KEY_PREVIOUS: `${A.toString('hex')},${B.toString('base64url')}` }).secretsKeyPrevious).toEqual([A, B]);
    expect(loadConfig({}).secretsKey).toBeNull();
  });

  it('delivery attempts keep at most the first KiB of a receiver body by default (docs/webhooks.md)', () => {
    expect(loadConfig({}).webhookMaxResponseBytes).toBe(1024);
    expect(problems({ WEBHOOK_MAX_RESPONSE_BYTES: '65537' })).toEqual([expect.stringMatching(/^WEBHOOK_MAX_RESPONSE_BYTES must be a whole number from 0 to 65536/)]);
  });

  it('wrong length, unreadable file, both set: one line each', () => {
    expect(problems({ SECRETS_KEY: Buffer.alloc(31).toString('base64') })).toEqual([expect.stringMatching(/^SECRETS_KEY must be 32 bytes/)]);
    expect(problems({ SECRETS_KEY: 'not a key!' })).toEqual([expect.stringMatching(/^SECRETS_KEY must be 32 bytes/)]);
    expect(problems({ SECRETS_KEY_FILE: '/nonexistent/voucherd.key' })).toEqual(['SECRETS_KEY_FILE /nonexistent/voucherd.key cannot be read (ENOENT)']);
    expect(problems({ SECRETS_KEY: A.toString('hex'), SECRETS_KEY_FILE: '/x' })).toEqual(['SECRETS_KEY and SECRETS_KEY_FILE are both set; set only one']);
    expect(problems({ SECRETS_KEY_PREVIOUS: 'abc' })).toEqual([expect.stringMatching(/^SECRETS_KEY_PREVIOUS entry 1 must be 32 bytes/)]);
  });
});
