import { createHash } from 'node:crypto';
import { AppError } from '../../lib/errors.js';
import { isUuid } from '../../lib/ids.js';

/**
 * Opaque keyset cursor: the last id of the previous page and, on a filtered list, a fingerprint of
 * its filters, so a token is only good for the list that issued it (docs/programs.md, Listing codes).
 * An unfiltered token is the plain id, as before filters existed. A forged or foreign one is a clean 400.
 */
export function encodePageToken(lastId: string, filterKey = ''): string {
  return Buffer.from(filterKey === '' ? lastId : `${lastId}|${fingerprint(filterKey)}`, 'utf8').toString('base64url');
}

export function decodePageToken(token: string, filterKey = ''): string {
  const raw = /^[A-Za-z0-9_-]{1,96}$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8') : '';
  const [id = '', print = '', ...rest] = raw.split('|');
  if (!isUuid(id) || rest.length > 0) throw new AppError('invalid_request', 'invalid_page_token', { metadata: { field: 'page_token' } });
  if (print !== (filterKey === '' ? '' : fingerprint(filterKey))) {
    throw new AppError('invalid_request', 'page_token_other_filters', { metadata: { field: 'page_token' } });
  }
  return id;
}

function fingerprint(filterKey: string): string {
  return createHash('sha256').update(filterKey).digest('base64url').slice(0, 12);
}
