import { Type, type TObject, type TSchema, type TString } from '@sinclair/typebox';
import { invalidRequest } from '../lib/errors.js';

/**
 * An integer field (docs/compatibility.md): a JSON integer, or a string holding a canonical decimal integer
 * ("50" — not "5.0", " 50", "1e3", "0x32", "+5", "050"), as proto3-JSON allows and the Generate
 * example sends. Range is checked by `toInteger` so one message covers both forms.
 */
export const IntegerLike = (description?: string) =>
  Type.Union([Type.Integer(), Type.String({ pattern: '^-?(0|[1-9][0-9]{0,15})$', maxLength: 17 })], {
    ...(description ? { description } : {}),
  });

export function toInteger(value: number | string, field: string, min: number, max: number): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw invalidRequest('field_range', { field, min, max }, field);
  return n;
}

export function optionalInteger(value: number | string | undefined, field: string, min: number, max: number): number | undefined {
  return value === undefined ? undefined : toInteger(value, field, min, max);
}

/**
 * An enum of Uber's upper-case values. Clients may send any letter case: the unknown-field walk
 * (unknown-fields.ts) rewrites the value to its canonical spelling before validation.
 */
export const enumOf = <T extends readonly string[]>(values: T, description?: string) =>
  Type.Union(values.map((v) => Type.Literal(v)), description ? { description } : {});

export const ErrorBody = Type.Object(
  {
    code: Type.String(),
    message: Type.String(),
    request_id: Type.Optional(Type.String()),
    metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { $id: 'ErrorBody' },
);

export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((s) => [s, Type.Ref('ErrorBody')]));
}

/**
 * Documentation of an IntegerLike field with the range its handler enforces (`toInteger`), for a
 * route's `documentation.body`: the validated schema stays unbounded so one message (field_range)
 * covers both spellings.
 */
export const BoundedIntegerLike = (min: number, max: number, description: string) =>
  Type.Union([Type.Integer({ minimum: min, maximum: max }), Type.String({ pattern: '^-?(0|[1-9][0-9]{0,15})$', maxLength: 17, description: 'the same integer as a decimal string' })], {
    description: `${description} (${min} to ${max})`,
  });

/**
 * The path parameters of a route: ids, each at most 64 characters (a longer one is a 400 before
 * any lookup), named in the order the path names them.
 */
export function pathIds<const K extends readonly string[]>(...names: K): TObject<{ [P in K[number]]: TString }> {
  return Type.Object(Object.fromEntries(names.map((name) => [name, Type.String({ maxLength: 64 })])) as { [P in K[number]]: TString });
}
