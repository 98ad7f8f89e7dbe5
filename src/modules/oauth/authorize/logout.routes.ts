import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../../../context.js';
import { PUBLIC } from '../../../http/openapi/security.js';
import { HtmlPage } from '../oauth.schemas.js';
import { endSession } from './session.js';
import { NO_STORE } from '../../../http/cache-headers.js';

const logoutSchema = {
  summary: 'End the sign-in session (voucherd extension)',
  description:
    "Ends the browser's voucherd sign-in session (the `voucherd_session` cookie): the next authorization request shows the sign-in page again and `prompt=none` answers `login_required`. Tokens are not touched — revoke them at `/oauth/v2/revoke`. 204 whether or not a session existed. The cookie is SameSite=Lax, so another site's form cannot end it.",
  operationId: 'endSignInSession',
  tags: ['oauth'],
  security: PUBLIC,
  response: {
    204: Type.Null({ description: 'Signed out (or was not signed in); the cookie is cleared' }),
    400: { ...HtmlPage, description: 'A body it cannot read (error page)' },
    413: { ...HtmlPage, description: 'Body over the limit' },
  },
};

/** POST /oauth/v2/logout: the console's sign-out ends the authorization server's session too (docs/console.md). */
export async function logoutRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  app.post('/oauth/v2/logout', { schema: logoutSchema }, async (request, reply) => {
    await endSession(opts.ctx, request, reply);
    return reply.status(204).headers({ ...NO_STORE }).send();
  });
}
