import type { FastifyInstance } from 'fastify';

/**
 * For action endpoints that take no input (e.g. POST …/cancel): an Uber client may send
 * `Content-Type: application/json` with an empty body or `{}`. Registered inside an encapsulated
 * plugin so only that plugin's routes accept an empty JSON body; anything else is still parsed strictly.
 */
export function allowEmptyJsonBody(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      const error = Object.assign(new SyntaxError('invalid JSON'), { statusCode: 400 });
      done(error, undefined);
    }
  });
}

/** preValidation hook for such routes: no body at all counts as `{}`, then the schema applies. */
export async function emptyBodyAsObject(request: { body: unknown }): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {};
}
