import type { FastifyRequest } from 'fastify';
import { AppError } from '../lib/errors.js';

/**
 * True when any string (or object key) in `value` contains U+0000. Iterative, so a deeply nested
 * body cannot overflow the stack.
 */
export function containsNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return true;
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (k.includes('\u0000')) return true;
        stack.push(child);
      }
    }
  }
  return false;
}

/**
 * Bad input → 400, never 500 (docs/compatibility.md): PostgreSQL text cannot hold U+0000 (SQLSTATE 22021, a 500
 * found by the fuzz suite) and no field of the contract needs it, so it is refused in path
 * parameters, query strings and bodies before any query — on both engines alike. The error also
 * carries `statusCode` so the OAuth (RFC 6749) and page error handlers render it as their own 400.
 */
export async function rejectNulHook(request: FastifyRequest): Promise<void> {
  if (containsNul(request.params) || containsNul(request.query) || containsNul(request.body)) {
    throw Object.assign(new AppError('invalid_request', 'invalid_request'), { statusCode: 400 });
  }
}
