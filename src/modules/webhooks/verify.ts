import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../../lib/constant-time.js';

/**
 * How a receiver checks a voucherd webhook (docs/webhooks.md). Self-contained (node:crypto only) so
 * an integrator can copy this file. The signer in signing.ts uses these same functions.
 *
 * Two signatures cover the same raw body bytes:
 * - `X-Uber-Signature`: lowercase hex HMAC-SHA256 of the raw body, keyed with the signing key
 *   string exactly as shown at registration (Uber's scheme; docs/webhooks.md).
 * - Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`): `v1,` + base64
 *   HMAC-SHA256 of `${id}.${timestamp}.${body}`, keyed with the base64-decoded part of the key
 *   after `whsec_` (so the standardwebhooks libraries accept the key unchanged). During a key
 *   rotation `webhook-signature` lists one signature per key, space-separated, and
 *   `X-Uber-Signature-Previous` carries the hex signature made with the previous key.
 */

/** The HMAC key bytes of the Standard Webhooks signature (`whsec_<base64>` → bytes). */
export function standardKeyBytes(signingKey: string): Buffer {
  return Buffer.from(signingKey.startsWith('whsec_') ? signingKey.slice('whsec_'.length) : signingKey, 'base64');
}

export function uberSignature(signingKey: string, rawBody: string | Buffer): string {
  return createHmac('sha256', signingKey).update(rawBody).digest('hex');
}

export function standardSignature(signingKey: string, id: string, timestamp: string | number, rawBody: string | Buffer): string {
  const mac = createHmac('sha256', standardKeyBytes(signingKey));
  mac.update(`${id}.${timestamp}.`);
  mac.update(rawBody);
  return `v1,${mac.digest('base64')}`;
}

/** True when `X-Uber-Signature` (or its `-Previous` twin) matches the raw body under `signingKey`. */
export function verifyUberSignature(signingKey: string, rawBody: string | Buffer, headerValue: string | undefined): boolean {
  if (!headerValue) return false;
  const expected = uberSignature(signingKey, rawBody);
  return headerValue
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .some((candidate) => constantTimeEqual(candidate, expected));
}

export interface StandardHeaders {
  'webhook-id'?: string;
  'webhook-timestamp'?: string;
  'webhook-signature'?: string;
}

/**
 * Standard Webhooks verification: a signature in the list must match, and the timestamp must be
 * within `toleranceSeconds` of `nowSeconds` (replay protection).
 */
export function verifyStandardSignature(
  signingKey: string,
  rawBody: string | Buffer,
  headers: StandardHeaders,
  nowSeconds: number = Math.floor(Date.now() / 1000),
  toleranceSeconds = 300,
): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return false;
  const expected = standardSignature(signingKey, id, timestamp, rawBody);
  return signatures.split(' ').some((candidate) => constantTimeEqual(candidate, expected));
}
