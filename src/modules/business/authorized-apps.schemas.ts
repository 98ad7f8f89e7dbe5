import { Type, type Static } from '@sinclair/typebox';
import { pathIds } from '../../http/schema-types.js';

export const AuthorizedAppWire = Type.Object(
  {
    client_id: Type.String(),
    name: Type.String(),
    scopes: Type.Array(Type.String()),
    authorized_at: Type.Integer({ description: 'epoch milliseconds' }),
    revoked_at: Type.Union([Type.Integer({ description: 'epoch milliseconds' }), Type.Null()], { description: 'null while authorized' }),
  },
  { $id: 'AuthorizedApp', additionalProperties: false },
);

export const AuthorizedAppParams = pathIds('organization_id', 'client_id');
export type AuthorizedAppParams = Static<typeof AuthorizedAppParams>;
