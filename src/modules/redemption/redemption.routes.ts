import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import { AppError } from '../../lib/errors.js';
import { errorResponses } from '../../http/schema-types.js';
import { authenticateBearer } from '../access/authenticate.js';
import { accessPaths } from '../access/org-access.js';
import { isRider, riderAccessHook, type RiderPrincipal } from '../access/rider-access.js';
import { SCOPES } from '../oauth/scopes.js';
import { claimVoucher } from './claim.service.js';
import { RedeemBody, RedeemResponse, TripBody, TripResponse, VoucherParams } from './redemption.schemas.js';
import { recordTrip } from './usage.service.js';

/** 401 without a valid token; 403 unless it is a rider token or a Vouchers API token (api.md §2.2 steps 1–2). */
function usageAccessHook(ctx: AppContext) {
  return async (request: FastifyRequest): Promise<void> => {
    const principal = await authenticateBearer(ctx, request.headers.authorization);
    if (!isRider(principal) && accessPaths(principal).length === 0) {
      throw new AppError('insufficient_scope', 'insufficient_scope', {
        headers: { 'www-authenticate': `Bearer realm="voucherd", error="insufficient_scope", scope="${SCOPES.redeem} ${SCOPES.voucherPrograms}"` },
      });
    }
    request.principal = principal;
  };
}

export async function redemptionRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;

  app.post<{ Body: RedeemBody }>(
    '/v1.2/me/vouchers/redeem',
    {
      onRequest: riderAccessHook(ctx),
      schema: {
        summary: 'Redeem a voucher code',
        description: 'Claims a code for the signed-in rider (api.md §7). Rider token: authorization_code + vouchers.redeem.',
        tags: ['riders'],
        body: RedeemBody,
        response: { 200: RedeemResponse, ...errorResponses(400, 401, 403, 404, 409, 429, 500) },
      },
    },
    async (request) => {
      const result = await claimVoucher(ctx, request.principal as RiderPrincipal, request.body.code_text);
      return { voucher_id: result.voucher_id };
    },
  );

  app.post<{ Params: VoucherParams; Body: TripBody }>(
    '/v1/vouchers/:voucher_id/trips',
    {
      onRequest: usageAccessHook(ctx),
      schema: {
        summary: 'Apply a voucher to a trip (X)',
        description:
          "Applies the program's value rules to a trip fare (api.md §7 usage). Rider token of the voucher's rider, or a token of the program's organization. Idempotent on trip_id.",
        tags: ['riders'],
        params: VoucherParams,
        body: TripBody,
        response: { 200: TripResponse, ...errorResponses(400, 401, 403, 404, 422, 500) },
      },
    },
    async (request, reply) => {
      const result = await recordTrip(ctx, request.principal!, request.params.voucher_id, request.body);
      if (result.replayed) void reply.header('idempotent-replayed', 'true');
      return result.body;
    },
  );
}
