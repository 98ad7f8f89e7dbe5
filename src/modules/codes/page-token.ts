import { AppError } from '../../lib/errors.js';
import { isUuid } from '../../lib/ids.js';

/** Opaque keyset cursor: the last id of the previous page. A forged one is a clean 400. */
export function encodePageToken(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

export function decodePageToken(token: string): string {
  const id = /^[A-Za-z0-9_-]{1,64}$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8') : '';
  if (!isUuid(id)) throw new AppError('invalid_request', 'invalid_page_token', { metadata: { field: 'page_token' } });
  return id;
}
