import type { FastifyInstance } from 'fastify';
import { useJsonParser } from './json-body.js';

/**
 * For action endpoints that take no input (e.g. POST …/cancel): an Uber client may send
 * `Content-Type: application/json` with an empty body or `{}`. Registered inside an encapsulated
 * plugin so only that plugin's routes accept an empty JSON body; anything else is still parsed strictly.
 */
export function allowEmptyJsonBody(app: FastifyInstance): void {
  useJsonParser(app, { allowEmpty: true });
}

/** preValidation hook for such routes: no body at all counts as `{}`, then the schema applies. */
export async function emptyBodyAsObject(request: { body: unknown }): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {};
}
