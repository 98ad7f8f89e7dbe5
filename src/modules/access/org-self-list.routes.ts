import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ORG_SELF_SECURITY } from '../../http/openapi/security.js';
import { errorResponses, pathIds } from '../../http/schema-types.js';

const OrgParams = pathIds('organization_id');

/**
 * GET of one of the organization's own integration lists (its webhook endpoints, the apps it
 * authorized): org-scoped, for the callers orgSelfOnlyHook lets through, answered as
 * `{ [key]: item[] }` (docs/webhooks.md, Organization endpoints; docs/oauth.md, Authorized apps).
 */
export function orgSelfListRoute(
  app: FastifyInstance,
  spec: {
    path: string;
    tag: string;
    summary: string;
    description: string;
    operationId: string;
    key: string;
    item: TSchema;
    list(organizationId: string): Promise<unknown[]>;
  },
): void {
  app.get<{ Params: { organization_id: string } }>(
    spec.path,
    {
      schema: {
        summary: spec.summary,
        description: spec.description,
        operationId: spec.operationId,
        security: ORG_SELF_SECURITY,
        tags: [spec.tag],
        params: OrgParams,
        response: { 200: Type.Object({ [spec.key]: Type.Array(spec.item) }), ...errorResponses(401, 403, 500) },
      },
    },
    async (request) => ({ [spec.key]: await spec.list(request.params.organization_id) }),
  );
}
