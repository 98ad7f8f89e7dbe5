import type { FastifyReply, FastifyRequest } from 'fastify';
import { invalidRequest } from '../lib/errors.js';

/**
 * The unknown-field rule, in one place for every route (docs/compatibility.md, "Unknown fields").
 *
 * Real Uber integrations send fields outside the published lists and Uber accepts them, so by
 * default a property the route's schema does not know is removed before validation — never
 * applied — and named in `Voucherd-Ignored-Fields` and a debug log line. Known fields stay a
 * closed list, so mass assignment stays impossible. `Prefer: handling=strict` (RFC 7240) on a
 * request, or `UNKNOWN_FIELDS=reject` for the service, refuses them with 400 instead.
 *
 * The same walk matches enum values case-insensitively and rewrites them to the canonical
 * (upper-case) spelling, so `"Active"` is `ACTIVE` everywhere a client sends an enum.
 */

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
};

const MAX_NAMED = 50;
const MAX_HEADER_CHARS = 2000;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The string values of an enum schema (a union of string constants, or `enum`), else null. */
function enumValues(schema: JsonSchema): string[] | null {
  if (Array.isArray(schema.enum) && schema.enum.every((v) => typeof v === 'string')) return schema.enum as string[];
  if (Array.isArray(schema.anyOf) && schema.anyOf.length > 0 && schema.anyOf.every((s) => typeof s.const === 'string')) {
    return schema.anyOf.map((s) => s.const as string);
  }
  return null;
}

function childPath(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

/**
 * Walks `data` along `schema`: collects the paths of properties an object schema closes
 * (`additionalProperties: false`) but does not list, removing them when `remove` is set, and
 * replaces enum values given in another letter case by their canonical spelling. Returns `data`,
 * possibly replaced (an enum value at the top).
 */
export function walkUnknownFields(schema: JsonSchema | undefined, data: unknown, path: string, found: string[], remove: boolean): unknown {
  if (!schema || typeof schema !== 'object') return data;
  const values = enumValues(schema);
  if (values) {
    if (typeof data !== 'string' || values.includes(data)) return data;
    const lower = data.toLowerCase();
    return values.find((v) => v.toLowerCase() === lower) ?? data;
  }
  if (Array.isArray(schema.anyOf)) {
    // A nullable or optional wrapper around one structured schema: follow that one.
    const structured = schema.anyOf.filter((s) => s.type === 'object' || s.type === 'array' || enumValues(s) !== null);
    return structured.length === 1 ? walkUnknownFields(structured[0], data, path, found, remove) : data;
  }
  if (schema.type === 'array' && Array.isArray(data) && schema.items) {
    for (let i = 0; i < data.length; i += 1) data[i] = walkUnknownFields(schema.items, data[i], `${path}[${i}]`, found, remove);
    return data;
  }
  if (schema.type === 'object' && isObject(data) && schema.properties) {
    const closed = schema.additionalProperties === false;
    for (const key of Object.keys(data)) {
      const property = Object.prototype.hasOwnProperty.call(schema.properties, key) ? schema.properties[key] : undefined;
      if (property) {
        data[key] = walkUnknownFields(property, data[key], childPath(path, key), found, remove);
      } else if (closed) {
        found.push(childPath(path, key));
        if (remove) delete data[key];
      }
    }
  }
  return data;
}

/** True when a `Prefer` header asks for `handling=strict` (RFC 7240 §4.4), in any list position. */
export function prefersStrict(header: string | string[] | undefined): boolean {
  const text = Array.isArray(header) ? header.join(',') : header ?? '';
  return text
    .split(',')
    .map((part) => part.split(';')[0]!.trim().toLowerCase().replace(/\s+/g, ''))
    .some((preference) => preference === 'handling=strict' || preference === 'handling="strict"');
}

/** Header value: comma-separated paths; names outside a safe alphabet percent-encoded, bounded. */
export function renderIgnoredFields(paths: string[]): string {
  const rendered: string[] = [];
  let length = 0;
  for (const path of paths.slice(0, MAX_NAMED)) {
    const safe = /^[A-Za-z0-9_.[\]-]+$/.test(path) ? path : encodeURIComponent(path);
    if (length + safe.length + 1 > MAX_HEADER_CHARS) break;
    rendered.push(safe);
    length += safe.length + 1;
  }
  return rendered.join(',');
}

/** The app-wide preValidation step: ignore-and-name (default) or refuse, on body and query. */
export function unknownFieldsHook(mode: 'ignore' | 'reject') {
  return async function unknownFields(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const schema = request.routeOptions.schema as { body?: JsonSchema; querystring?: JsonSchema } | undefined;
    if (!schema || (!schema.body && !schema.querystring)) return;
    const asked = prefersStrict(request.headers.prefer);
    const strict = asked || mode === 'reject';
    if (asked) void reply.header('preference-applied', 'handling=strict');
    const found: string[] = [];
    if (schema.body) request.body = walkUnknownFields(schema.body, request.body, '', found, !strict);
    if (schema.querystring) request.query = walkUnknownFields(schema.querystring, request.query, '', found, !strict);
    if (found.length === 0) return;
    const first = found[0]!;
    if (strict) {
      void reply.header('preference-applied', 'handling=strict');
      throw invalidRequest('field_unknown', { field: first }, first);
    }
    void reply.header('voucherd-ignored-fields', renderIgnoredFields(found));
    request.log.debug({ ignored_fields: found.slice(0, MAX_NAMED) }, 'unknown fields ignored');
  };
}
