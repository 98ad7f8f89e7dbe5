import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import { authenticateBearer } from '../access/authenticate.js';
import { registerIdempotency } from '../idempotency/idempotency.hook.js';
import { accessPaths } from '../access/org-access.js';
import { SCOPES } from '../oauth/scopes.js';
import { answerInUnitOfWork } from '../idempotency/idempotent-answer.js';
import { readTripRun, startTripRun, type StartedRun } from './run.service.js';
import { sandboxErrorHandler } from './sandbox.errors.js';
import { ORG_SECURITY } from '../../http/openapi/security.js';
import { RunParams, RunResponse, SandboxError, TripRunBody, TripRunResponse } from './sandbox.schemas.js';
import { insufficientScope } from '../../http/www-authenticate.js';

/**
 * Any token that may call org-scoped routes (first-party client credentials, delegated admin,
 * authorized aggregator): 401 without a valid token, 403 without one of those grants. Which
 * organizations' vouchers it may apply is decided per organization by the access policy.
 */
function sandboxAccessHook(ctx: AppContext) {
  return async (request: FastifyRequest): Promise<void> => {
    const principal = await authenticateBearer(ctx, request.headers.authorization);
    if (accessPaths(principal).length === 0) {
      throw insufficientScope(`${SCOPES.voucherPrograms} ${SCOPES.delegated} ${SCOPES.aggregator}`);
    }
    request.principal = principal;
  };
}

const errors = { 400: SandboxError, 413: SandboxError, 401: SandboxError, 403: SandboxError, 404: SandboxError, 409: SandboxError, 422: SandboxError, 500: SandboxError };

/** Uber's two sandbox helpers (docs/sandbox.md); registered only when VOUCHERD_ENVIRONMENT=sandbox. */
export async function sandboxRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  app.setErrorHandler(sandboxErrorHandler(ctx.config.bodyLimitBytes));
  app.addHook('onRequest', sandboxAccessHook(ctx));
  // Idempotency-Key as on every other POST: a retried request starts one run, not two.
  registerIdempotency(app, ctx);

  app.post<{ Body: TripRunBody }>(
    '/v1/sandbox/terminal-state-trip-run',
    {
      schema: {
        summary: 'Simulate a completed trip (sandbox only)',
        description: "Starts a run that completes a trip after SANDBOX_RUN_SECONDS and applies the rider's eligible voucher.",
        operationId: 'startSandboxTripRun',
        security: ORG_SECURITY,
        tags: ['sandbox'],
        body: TripRunBody,
        response: { 200: TripRunResponse, ...errors },
      },
    },
    async (request, reply) => answerInUnitOfWork<StartedRun>(ctx, request, reply, (work) => startTripRun(ctx, request.principal!, request.body, work)),
  );

  app.get<{ Params: RunParams }>(
    '/v1/sandbox/run/:run_id',
    {
      schema: {
        summary: 'State of a simulated trip (sandbox only)',
        description: 'RUNNING until the simulated trip completes, then COMPLETED with what the voucher covered (or FAILED with why).',
        operationId: 'getSandboxRun',
        security: ORG_SECURITY,
        tags: ['sandbox'],
        params: RunParams,
        response: { 200: RunResponse, ...errors },
      },
    },
    async (request) => readTripRun(ctx, request.principal!, request.params.run_id, request.locale),
  );
}
