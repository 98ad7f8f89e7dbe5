import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { errorResponses } from '../../http/schema-types.js';
import { authenticateBearer } from './authenticate.js';
import { accessPaths } from './org-access.js';
import { SCOPES } from '../oauth/scopes.js';
import { adminOrganizationsOf } from '../orgs/org.service.js';
import { insufficientScope } from '../../http/www-authenticate.js';

const MyOrganizations = Type.Object(
  {
    organizations: Type.Array(
      Type.Object(
        {
          organization_id: Type.String({ description: 'The organization id of the Vouchers API paths' }),
          name: Type.String(),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, description: 'The organizations this token can act for, by name' },
);

const schema = {
  summary: 'List my organizations (X)',
  description:
    'voucherd extension (no Uber equivalent): the organizations a delegated token (authorization_code, `organizations.voucher_programs.delegated`) can act for — where its user is an ADMIN, and for a first-party app only its own organization. The console uses it for its organization picker (docs/console.md).',
  operationId: 'listMyOrganizations',
  tags: ['programs'],
  security: [{ oauth2: [SCOPES.delegated] }],
  response: { 200: MyOrganizations, ...errorResponses(401, 403, 500) },
};

/** GET /v1/me/organizations: the signed-in admin's organizations (docs/console.md, What the API gained). */
export async function meRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  app.get('/v1/me/organizations', { schema }, async (request) => {
    const principal = await authenticateBearer(ctx, request.headers.authorization);
    if (!accessPaths(principal).includes('delegated')) {
      throw insufficientScope(SCOPES.delegated);
    }
    const organizations = (await adminOrganizationsOf(ctx, principal.userId!)).map((o) => ({ organization_id: o.id, name: o.name }));
    const reachable =
      principal.clientKind === 'FIRST_PARTY' ? organizations.filter((o) => o.organization_id === principal.clientOrganizationId) : organizations;
    return { organizations: reachable };
  });
}
