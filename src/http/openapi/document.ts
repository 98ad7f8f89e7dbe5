import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { Config } from '../../config.js';
import { SCOPES } from '../../modules/oauth/scopes.js';
import { HEADER_PARAMETERS, RESPONSE_HEADERS, RESPONSE_HEADER_WIRE, type ResponseHeaderName } from './headers.js';

declare module 'fastify' {
  interface FastifySchema {
    /**
     * Documentation only, never validated nor used to serialize: a request body the handler
     * reads itself (OAuth forms), with its media types, and response headers per status.
     */
    documentation?: {
      body?: unknown;
      consumes?: string[];
      querystring?: unknown;
      responseHeaders?: Record<number, ResponseHeaderName[]>;
    };
  }
  interface FastifyContextConfig {
    /** Set on POST routes under the idempotency hook (idempotency.hook.ts): documents Idempotency-Key. */
    idempotencyKey?: boolean;
  }
}

type Json = Record<string, unknown>;
const HEADERS_KEY = 'x-voucherd-request-headers';
const RESPONSE_HEADERS_KEY = 'x-voucherd-response-headers';

const TAGS = [
  { name: 'programs', description: 'Voucher programs of an organization (Uber: Voucher Programs).' },
  { name: 'codes', description: 'Codes of a program: generate, list, cancel, distribute.' },
  { name: 'guests', description: 'Guests of a program and their codes.' },
  { name: 'templates', description: 'Voucher program templates and programs created from them.' },
  { name: 'riders', description: 'What a signed-in rider and a trusted trip reporter call.' },
  { name: 'webhooks', description: "Webhook endpoints and their delivery logs: the calling client's, or an organization's (docs/webhooks.md)." },
  { name: 'organizations', description: 'An organization\'s own integrations: the aggregator apps it authorized (docs/oauth.md).' },
  { name: 'oauth', description: 'OAuth 2.0 authorization server (RFC 6749, 7009, 7636, 7662, 8414; docs/oauth.md).' },
  { name: 'operations', description: 'Liveness and readiness: no token.' },
  { name: 'sandbox', description: "Uber's sandbox helpers; only when VOUCHERD_ENVIRONMENT=sandbox (docs/sandbox.md)." },
];

const STATUS_TEXT: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '202': 'Accepted: the work continues in the background',
  '204': 'Done; no body',
  '302': 'Redirect',
  '303': 'See other (after a form post)',
  '400': 'Invalid request: the body names the field',
  '401': 'Missing, invalid, expired or revoked token',
  '403': 'The token may not do this (scope, grant or organization)',
  '404': 'Not found',
  '409': 'Conflict with work in progress; retry after Retry-After',
  '413': 'Body over BODY_LIMIT_BYTES',
  '422': 'Semantically refused (e.g. Idempotency-Key reused with another body)',
  '429': 'Rate limited; retry after Retry-After',
  '500': 'Unexpected failure (no detail is disclosed)',
  '503': 'Temporarily unavailable (database fault or shutting down); retry after Retry-After',
};

const isApi = (url: string) => url.startsWith('/v1');

/** Adds the header parameters and response-header names each route gets by rule (see headers.ts). */
function transform({ schema, url, route }: { schema: Json; url: string; route: { method: string | string[]; config?: { idempotencyKey?: boolean } } }) {
  if (!schema || schema.hide) return { schema, url };
  const { documentation, ...rest } = schema as Json & { documentation?: Json };
  const out: Json = { ...rest };
  if (documentation?.body) {
    out.body = documentation.body;
    if (documentation.consumes) out.consumes = documentation.consumes;
  }
  if (documentation?.querystring) out.querystring = documentation.querystring;
  const readsInput = isApi(url) && (rest.body !== undefined || rest.querystring !== undefined);
  const idempotent = route.config?.idempotencyKey === true;
  const headers: string[] = [];
  if (isApi(url)) headers.push('AcceptLanguage');
  if (idempotent) headers.push('IdempotencyKey');
  if (readsInput) headers.push('Prefer');
  out[HEADERS_KEY] = headers;
  const perStatus: Record<string, ResponseHeaderName[]> = {};
  const extra = (documentation?.responseHeaders ?? {}) as Record<string, ResponseHeaderName[]>;
  for (const status of Object.keys((rest.response as Json | undefined) ?? {})) {
    const names: ResponseHeaderName[] = [...(extra[status] ?? [])];
    if (['409', '429', '503'].includes(status)) names.push('RetryAfter');
    if (status.startsWith('2') && idempotent) names.push('IdempotentReplayed');
    if ((status.startsWith('2') || status === '400') && readsInput) names.push('VoucherdIgnoredFields', 'PreferenceApplied');
    if (names.length > 0) perStatus[status] = [...new Set(names)];
  }
  out[RESPONSE_HEADERS_KEY] = perStatus;
  return { schema: out, url };
}

/** `anyOf` of one-value string enums (TypeBox literal unions) → one `enum`, as OpenAPI readers expect. */
function collapseEnums(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(collapseEnums);
  if (typeof node !== 'object' || node === null) return;
  const obj = node as Json;
  const anyOf = obj.anyOf as Json[] | undefined;
  if (Array.isArray(anyOf) && anyOf.length > 0 && anyOf.every((s) => s.type === 'string' && Array.isArray(s.enum) && s.enum.length === 1 && Object.keys(s).length === 2)) {
    delete obj.anyOf;
    obj.type = 'string';
    obj.enum = anyOf.map((s) => (s.enum as string[])[0]);
  }
  for (const value of Object.values(obj)) collapseEnums(value);
}

function transformObject(config: Config) {
  return ({ openapiObject }: { openapiObject: Json }) => {
    const paths = openapiObject.paths as Record<string, Record<string, Json>>;
    for (const [url, item] of Object.entries(paths)) {
      for (const operation of Object.values(item)) {
        const responses = (operation.responses ?? {}) as Record<string, Json>;
        if (isApi(url) && !responses['503']) {
          responses['503'] = { description: STATUS_TEXT['503'], content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } } };
          const names = (operation[RESPONSE_HEADERS_KEY] ?? {}) as Record<string, string[]>;
          names['503'] = ['RetryAfter'];
          operation[RESPONSE_HEADERS_KEY] = names;
        }
        for (const [status, response] of Object.entries(responses)) {
          if (response.description === 'Default Response') response.description = STATUS_TEXT[status] ?? 'Answer';
        }
        const headerNames = (operation[HEADERS_KEY] ?? []) as string[];
        if (headerNames.length > 0) {
          const parameters = (operation.parameters ?? []) as Json[];
          operation.parameters = [...parameters, ...headerNames.map((h) => ({ $ref: `#/components/parameters/${h}` }))];
        }
        for (const [status, names] of Object.entries((operation[RESPONSE_HEADERS_KEY] ?? {}) as Record<string, ResponseHeaderName[]>)) {
          const response = responses[status];
          if (!response) continue;
          const headers = (response.headers ?? {}) as Json;
          for (const name of names) headers[RESPONSE_HEADER_WIRE[name]] = { $ref: `#/components/headers/${name}` };
          response.headers = headers;
        }
        delete operation[HEADERS_KEY];
        delete operation[RESPONSE_HEADERS_KEY];
      }
    }
    const components = openapiObject.components as Json;
    components.parameters = { ...HEADER_PARAMETERS };
    components.headers = { ...RESPONSE_HEADERS };
    collapseEnums(paths);
    collapseEnums(components.schemas);
    void config;
    return openapiObject;
  };
}

/** The @fastify/swagger options: the document at /openapi.json, generated from the route schemas. */
export function swaggerOptions(config: Config): FastifyDynamicSwaggerOptions {
  const issuer = config.issuer;
  return {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'voucherd',
        version: '0.1.0',
        description:
          'Self-hostable voucher programs, wire-compatible with the Uber for Business Vouchers API. Errors are `{"code","message"}` (`{"error","error_description"}` on /oauth/*, RFC 6749).',
        license: { name: 'MIT', url: 'https://opensource.org/license/mit' },
        contact: { name: 'voucherd', url: `${config.publicUrl}/docs` },
      },
      servers: [{ url: config.publicUrl, description: 'This service (PUBLIC_URL)' }],
      tags: TAGS,
      components: {
        securitySchemes: {
          oauth2: {
            type: 'oauth2',
            description:
              'Bearer access tokens from POST /oauth/v2/token. The authorization code flow requires PKCE (S256, RFC 7636); refresh tokens rotate on use.',
            flows: {
              clientCredentials: {
                tokenUrl: `${issuer}/oauth/v2/token`,
                scopes: {
                  [SCOPES.voucherPrograms]: "First-party client: manage its own organization's voucher programs",
                  [SCOPES.aggregator]: 'Aggregator client: manage the programs of organizations that authorized it',
                  [SCOPES.trips]: "Trusted trip reporter: record trips on the organization's vouchers",
                },
              },
              authorizationCode: {
                authorizationUrl: `${issuer}/oauth/v2/authorize`,
                tokenUrl: `${issuer}/oauth/v2/token`,
                refreshUrl: `${issuer}/oauth/v2/token`,
                scopes: {
                  [SCOPES.delegated]: "Delegated admin: an ADMIN of the client's organization acting in it",
                  [SCOPES.redeem]: 'Rider: redeem codes and read own vouchers',
                },
              },
            },
          },
          clientSecretBasic: { type: 'http', scheme: 'basic', description: 'OAuth client authentication: client_id and client_secret, form-encoded, as HTTP Basic (RFC 6749 §2.3.1).' },
        },
      },
      security: [{ oauth2: [SCOPES.voucherPrograms] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    transform: transform as unknown as FastifyDynamicSwaggerOptions['transform'],
    transformObject: transformObject(config) as unknown as FastifyDynamicSwaggerOptions['transformObject'],
  };
}
