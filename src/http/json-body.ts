import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../lib/errors.js';

/**
 * JSON bodies are UTF-8 (RFC 8259 §8.1). A `charset` parameter naming anything else (UTF-16, Latin-1…)
 * is refused with 415 instead of being read as UTF-8 and misunderstood; `utf-8`/`utf8` (any case,
 * quoted or not) and no parameter are fine.
 */
const UTF8 = /^"?utf-?8"?$/i;

function declaredCharset(contentType: string | undefined): string | undefined {
  for (const part of (contentType ?? '').split(';').slice(1)) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim().toLowerCase() === 'charset') return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function charsetError(request: FastifyRequest): AppError | null {
  const charset = declaredCharset(request.headers['content-type']);
  if (charset === undefined || UTF8.test(charset)) return null;
  // statusCode too, so the HTML pages' own error handler sees a 4xx.
  return Object.assign(new AppError('unsupported_charset', 'unsupported_charset'), { statusCode: 415 });
}

/**
 * Replaces the JSON parser of `app` (and its children): Fastify's own parser (prototype-poisoning
 * checks included) after the charset check; with `allowEmpty`, an empty body is no body (empty-body.ts).
 */
export function useJsonParser(app: FastifyInstance, options: { allowEmpty: boolean }): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  if (app.hasContentTypeParser('application/json')) app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const refused = charsetError(request);
    if (refused) return done(refused, undefined);
    if (options.allowEmpty && (typeof body === 'string' ? body : body.toString('utf8')).trim() === '') return done(null, undefined);
    parse(request, typeof body === 'string' ? body : body.toString('utf8'), done);
  });
}
