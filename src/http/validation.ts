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

type PropertySchema = { type?: unknown; anyOf?: PropertySchema[] };
const takesInteger = (p: PropertySchema): boolean => p.type === 'integer' || (p.anyOf ?? []).some(takesInteger);

/**
 * A number in a path or query string is written in decimal digits: ajv's coercion alone would also
 * read `1e3`, `0x10`, ` 1` or `1.0` as integers, so those are refused here first (400 naming the field).
 */
const DECIMAL = /^-?[0-9]+$/;

function strictText(schema: { properties?: Record<string, PropertySchema> }, validate: ReturnType<FastifySchemaCompiler<unknown>>) {
  const integers = Object.entries(schema.properties ?? {})
    .filter(([, p]) => takesInteger(p))
    .map(([name]) => name);
  if (integers.length === 0) return validate;
  type Validate = ((data: unknown) => boolean) & { errors?: unknown };
  const inner = validate as unknown as Validate;
  const strict: Validate = (data: unknown) => {
    for (const name of integers) {
      const raw = (data as Record<string, unknown> | null)?.[name];
      const values = Array.isArray(raw) ? raw : [raw];
      if (values.some((v) => typeof v === 'string' && !DECIMAL.test(v))) {
        strict.errors = [{ instancePath: `/${name}`, keyword: 'type', params: { type: 'integer' }, schemaPath: '#/type', message: 'must be a decimal integer' }];
        return false;
      }
    }
    const ok = inner(data);
    strict.errors = inner.errors;
    return ok;
  };
  return strict as unknown as ReturnType<FastifySchemaCompiler<unknown>>;
}

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  if (httpPart === 'body') return bodyAjv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
  return strictText(schema as never, textAjv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>) as ReturnType<FastifySchemaCompiler<unknown>>;
};

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
