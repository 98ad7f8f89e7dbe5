import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Encryption of secrets at rest (docs/secrets.md): AES-256-GCM, a fresh random 12-byte IV per value,
 * stored as `v1:<kid>:<iv>:<tag>:<ciphertext>` (base64url parts). The key id names the key that
 * sealed a value, so values sealed under a previous key still open during a rotation. The purpose
 * (e.g. the column) is bound as additional data: a value copied into another column does not open.
 */

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

const PREFIX = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The key id: a short digest of the key (never the key itself). */
export function keyId(key: Buffer): string {
  return createHash('sha256').update('voucherd secret-box key id\n').update(key).digest('base64url').slice(0, 11);
}

export class SecretBox {
  private readonly keys = new Map<string, Buffer>();
  readonly currentKeyId: string;

  constructor(
    private readonly current: Buffer,
    previous: readonly Buffer[] = [],
  ) {
    for (const key of [current, ...previous]) {
      if (key.length !== 32) throw new SecretBoxError('a secret-box key must be 32 bytes');
      if (!this.keys.has(keyId(key))) this.keys.set(keyId(key), key);
    }
    this.currentKeyId = keyId(current);
  }

  /** True when the stored value is an envelope (anything else is a legacy plaintext value). */
  /** How every sealed value starts. */
  static readonly SEALED_PREFIX = `${PREFIX}:`;

  static isSealed(value: string): boolean {
    return value.startsWith(SecretBox.SEALED_PREFIX);
  }

  seal(plaintext: string, purpose: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current, iv);
    cipher.setAAD(Buffer.from(purpose, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [PREFIX, this.currentKeyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join(':');
  }

  open(envelope: string, purpose: string): string {
    const parts = envelope.split(':');
    if (parts.length !== 5 || parts[0] !== PREFIX) throw new SecretBoxError('not a sealed value');
    const [, kid, ivText, tagText, bodyText] = parts as [string, string, string, string, string];
    const b64 = /^[A-Za-z0-9_-]*$/;
    if (![kid, ivText, tagText, bodyText].every((p) => b64.test(p))) throw new SecretBoxError('malformed sealed value');
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretBoxError('malformed sealed value');
    const key = this.keys.get(kid);
    if (!key) throw new SecretBoxError(`sealed with an unknown key (key id ${kid}); set SECRETS_KEY_PREVIOUS to the key it was sealed with`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(Buffer.from(purpose, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(bodyText, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError('sealed value does not authenticate (tampered, or another key)');
    }
  }

  /** A legacy plaintext value as is, an envelope opened. */
  read(stored: string, purpose: string): string {
    return SecretBox.isSealed(stored) ? this.open(stored, purpose) : stored;
  }

  /** True when the stored value should be sealed again: plaintext, or sealed under an older key. */
  needsReseal(stored: string): boolean {
    return !SecretBox.isSealed(stored) || stored.split(':')[1] !== this.currentKeyId;
  }
}
