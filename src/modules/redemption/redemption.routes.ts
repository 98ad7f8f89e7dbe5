import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { errorResponses } from '../../http/schema-types.js';
import { RIDER_SECURITY, TRIP_REPORTER_SECURITY } from '../../http/openapi/security.js';
import { riderAccessHook, type RiderPrincipal } from '../access/rider-access.js';
import { tripReporterAccessHook, type TripReporter } from '../access/trip-reporter.js';
import { claimVoucher } from './claim.service.js';
import { RedeemBody, RedeemResponse, RiderVouchersResponse, TripBody, TripResponse, VoucherParams } from './redemption.schemas.js';
import { listRiderVouchers } from './rider-vouchers.service.js';
import { recordTrip } from './usage.service.js';

export async function redemptionRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;

  app.post<{ Body: RedeemBody }>(
    '/v1.2/me/vouchers/redeem',
    {
      onRequest: riderAccessHook(ctx),
      schema: {
        summary: 'Redeem a voucher code',
        description: 'Claims a code for the signed-in rider. Rider token: authorization_code + vouchers.redeem.',
        operationId: 'redeemVoucherCode',
        security: RIDER_SECURITY,
        tags: ['riders'],
        body: RedeemBody,
        response: { 200: RedeemResponse, ...errorResponses(400, 401, 403, 404, 409, 413, 422, 429, 500) },
      },
    },
    async (request) => {
      const result = await claimVoucher(ctx, request.principal as RiderPrincipal, request.body.code_text);
      return { voucher_id: result.voucher_id };
    },
  );

  app.get(
    '/v1.2/me/vouchers',
    {
      onRequest: riderAccessHook(ctx),
      schema: {
        summary: "The rider's vouchers",
        description: 'The signed-in rider\'s vouchers, newest first, with the trips and credit left in the current period. Rider token: authorization_code + vouchers.redeem.',
        operationId: 'getRiderVouchers',
        security: RIDER_SECURITY,
        tags: ['riders'],
        response: { 200: RiderVouchersResponse, ...errorResponses(401, 403, 500) },
      },
    },
    async (request) => ({ vouchers: await listRiderVouchers(ctx, request.principal as RiderPrincipal) }),
  );

  app.post<{ Params: VoucherParams; Body: TripBody }>(
    '/v1/vouchers/:voucher_id/trips',
    {
      onRequest: tripReporterAccessHook(ctx),
      schema: {
        summary: 'Apply a voucher to a trip',
        description:
          "Applies the program's value rules to a trip fare. Recorded by a trusted trip reporter only: a client_credentials token with vouchers.trips of a first-party client of the voucher's organization (a rider token → 403). Idempotent on trip_id.",
        operationId: 'recordVoucherTrip',
        security: TRIP_REPORTER_SECURITY,
        tags: ['riders'],
        params: VoucherParams,
        body: TripBody,
        documentation: { responseHeaders: { 200: ['IdempotentReplayed'] } },
        response: { 200: TripResponse, ...errorResponses(400, 401, 403, 404, 409, 413, 422, 500) },
      },
    },
    async (request, reply) => {
      const result = await recordTrip(ctx, request.principal as TripReporter, request.params.voucher_id, request.body);
      if (result.replayed) void reply.header('idempotent-replayed', 'true');
      return result.body;
    },
  );
}
