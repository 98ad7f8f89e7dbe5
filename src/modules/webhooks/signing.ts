import { randomBytes, type RandomSource } from '../../lib/random.js';
import { standardSignature, uberSignature } from './verify.js';

/** A new signing key: `whsec_` + base64 of 32 random bytes (Standard Webhooks format). */
export function newSigningKey(random: RandomSource): string {
  return `whsec_${Buffer.from(randomBytes(random, 32)).toString('base64')}`;
}

export interface SigningKeys {
  current: string;
  /** The key being rotated out, while its overlap period lasts. */
  previous: string | null;
}

/**
 * The signature headers of one attempt (docs/webhooks.md): `X-Uber-Signature` with the current key,
 * Standard Webhooks headers with every live key, and `X-Uber-Signature-Previous` during a rotation.
 */
export function signatureHeaders(keys: SigningKeys, messageId: string, timestampSeconds: number, body: string): Record<string, string> {
  const all = keys.previous ? [keys.current, keys.previous] : [keys.current];
  const headers: Record<string, string> = {
    'x-uber-signature': uberSignature(keys.current, body),
    'webhook-id': messageId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': all.map((k) => standardSignature(k, messageId, timestampSeconds, body)).join(' '),
  };
  if (keys.previous) headers['x-uber-signature-previous'] = uberSignature(keys.previous, body);
  return headers;
}
