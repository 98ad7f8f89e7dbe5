import type { LightMyRequestResponse } from 'fastify';
import { createClient, type CreatedClient } from '../../src/modules/oauth/client.service.js';
import { sandboxRunsWorker } from '../../src/modules/sandbox/run.job.js';
import { redeem } from './claims.js';
import { bearer, type Harness } from './harness.js';
import { approveViaForms, basic, pkcePair, REDIRECT, rider, tokenRequest } from './oauth-flow.js';

export interface Point {
  latitude: number;
  longitude: number;
}

/** A rider app: a third-party client allowed `vouchers.redeem` through authorization_code. */
export async function riderApp(h: Harness): Promise<CreatedClient> {
  return createClient(h.ctx, { kind: 'THIRD_PARTY', name: 'Test rider app', scopes: ['vouchers.redeem'], redirectUris: [REDIRECT] });
}

/** A rider token from the real authorization-code flow (sign in, consent, PKCE exchange). */
export async function riderTokenViaForms(h: Harness, app: CreatedClient, email: string): Promise<string> {
  const pkce = pkcePair();
  const location = await approveViaForms(
    h,
    { response_type: 'code', client_id: app.client_id, redirect_uri: REDIRECT, scope: 'vouchers.redeem', code_challenge: pkce.challenge, code_challenge_method: 'S256' },
    { email },
  );
  const res = await tokenRequest(
    h,
    { grant_type: 'authorization_code', code: location.searchParams.get('code') ?? '', redirect_uri: REDIRECT, code_verifier: pkce.verifier },
    { authorization: basic(app.client_id, app.client_secret) },
  );
  if (res.statusCode !== 200) throw new Error(`rider token: ${res.statusCode} ${res.body}`);
  return res.json().access_token as string;
}

/** A new test rider who signs in through the pages and claims `codeText`; returns the voucher. */
export async function claimAsRider(h: Harness, app: CreatedClient, codeText: string): Promise<{ email: string; userId: string; voucherId: string; token: string }> {
  const person = await rider(h);
  const token = await riderTokenViaForms(h, app, person.email);
  const res = await redeem(h, token, codeText);
  if (res.statusCode !== 200) throw new Error(`claim failed: ${res.statusCode} ${res.body}`);
  return { ...person, token, voucherId: res.json().voucher_id as string };
}

export function tripRunBody(email: string, pickup: Point, dropoff: Point, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    pickup: { point: pickup },
    dropoff: { point: dropoff },
    rider_info: { identifier: { email_address: email } },
    scenario: { id: 'COMPLETED_STATE_TRIP' },
    product_type: 'UBERX',
    ...extra,
  };
}

export function startRun(h: Harness, token: string, body: unknown): Promise<LightMyRequestResponse> {
  return h.app.inject({ method: 'POST', url: '/v1/sandbox/terminal-state-trip-run', headers: bearer(token), payload: body as Record<string, unknown> });
}

export function getRun(h: Harness, token: string, runId: string): Promise<LightMyRequestResponse> {
  return h.app.inject({ method: 'GET', url: `/v1/sandbox/run/${runId}`, headers: bearer(token) });
}

/** One pass of a process's sandbox run worker (what the job runner does every SANDBOX_POLL_MS). */
export async function runWorker(h: Harness, holder = 'test-process'): Promise<void> {
  await sandboxRunsWorker(holder, 10).run(h.ctx, new AbortController().signal);
}

/** Moves the pinned clock by SANDBOX_RUN_SECONDS and lets the run worker do its work. */
export async function finishDueRuns(h: Harness, holder = 'test-process'): Promise<void> {
  h.clock.advance(h.ctx.config.sandboxRunSeconds * 1000);
  await runWorker(h, holder);
}
