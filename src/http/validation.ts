import AjvModule, { type ErrorObject } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';
import type { AppError } from '../lib/errors.js';
import { invalidRequest } from '../lib/errors.js';

/**
 * Two validators: request bodies are strict (no coercion, no stripping of unknown properties —
 * docs/compatibility.md), while path and query strings are text by nature and may be coerced to numbers.
 */
// ajv is CommonJS; under NodeNext its class is the default export's `default`.
const Ajv = AjvModule.default;
const bodyAjv = new Ajv({ removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: false, strict: false });
const textAjv = new Ajv({ removeAdditional: false, coerceTypes: true, useDefaults: true, allErrors: false, strict: false });

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? bodyAjv : textAjv).compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;

export function addSharedSchema(schema: { $id: string }): void {
  for (const ajv of [bodyAjv, textAjv]) if (!ajv.getSchema(schema.$id)) ajv.addSchema(schema);
}

function fieldName(error: ErrorObject, context: string): string {
  const path = error.instancePath
    .split('/')
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '');
  return path || context;
}

/** Maps the first ajv error to the contract's 400 with a field name (docs/compatibility.md). */
export function validationError(errors: ErrorObject[], context: string): AppError {
  const first = errors[0];
  if (!first) return invalidRequest('invalid_request');
  if (context === 'body' && first.instancePath === '' && first.keyword === 'type') return invalidRequest('body_required');
  if (first.keyword === 'required') {
    const prefix = fieldName(first, '');
    const field = `${prefix ? `${prefix}.` : ''}${(first.params as { missingProperty: string }).missingProperty}`;
    return invalidRequest('field_required', { field }, field);
  }
  if (first.keyword === 'additionalProperties') {
    const prefix = fieldName(first, '');
    const field = `${prefix ? `${prefix}.` : ''}${(first.params as { additionalProperty: string }).additionalProperty}`;
    return invalidRequest('field_unknown', { field }, field);
  }
  const field = fieldName(first, context);
  return invalidRequest('field_invalid', { field }, field);
}
