import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { renderErrorPage } from '../../../src/http/error-page.js';
import { generateCodes } from '../../../src/lib/codes.js';
import { AppError } from '../../../src/lib/errors.js';
import { translate } from '../../../src/lib/i18n.js';
import { SIGN_IN_FLOW_COOKIE } from '../../../src/modules/redemption/redeem-page.routes.js';
import { encodeFlow } from '../../../src/modules/redemption/redeem-signin.service.js';
import type { CreatedClient } from '../../../src/modules/oauth/client.service.js';
import { bearer, createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { authorizeUrl, basic, codeClient, pkcePair, REDIRECT } from '../../helpers/oauth-flow.js';

/**
 * One rule for every family of routes (src/http/error-response.ts, src/http/error-page.ts): the
 * client sees the fixed public text of the error's code, the specific reason is in the request
 * log, on a line carrying the request id the response names in X-Request-Id.
 */
let h: Harness;
let app: FastifyInstance;
let tenant: Tenant;
let other: Tenant;
let client: CreatedClient;
const lines: string[] = [];

beforeAll(async () => {
  h = await createHarness();
  tenant = await h.seedTenant();
  other = await h.seedTenant();
  client = await codeClient(h, tenant.organizationId);
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  app = await buildApp(h.ctx, { logger: { level: 'info', stream } });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

/** The log lines of one request that carry a `detail`. */
function detailsOf(requestId: unknown): string[] {
  expect(typeof requestId).toBe('string');
  return lines
    .map((l) => JSON.parse(l) as { reqId?: string; detail?: string })
    .filter((l) => l.reqId === requestId && l.detail !== undefined)
    .map((l) => l.detail!);
}

describe('public text to the client, the specific reason to the log with the request id', () => {
  it('(a) API: another organization’s program is refused with the public message; which access step refused is logged', async () => {
    const res = await app.inject({ method: 'GET', url: `/v1/organizations/${other.organizationId}/voucher-programs/${other.organizationId}`, headers: bearer(tenant.token) });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ code: 'unauthorized', message: translate('en_US', 'org_not_allowed'), request_id: res.headers['x-request-id'] });
    expect(res.body).not.toContain('first_party');
    expect(detailsOf(res.headers['x-request-id'])).toEqual(['first_party: the client belongs to another organization']);
  });

  it('(b) OAuth token endpoint: an unknown code gets invalid_grant’s public description; the reason is logged', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/oauth/v2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.client_id, client.client_secret) },
      payload: new URLSearchParams({ grant_type: 'authorization_code', code: 'no-such-code', redirect_uri: REDIRECT, code_verifier: pkcePair().verifier }).toString(),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'invalid_grant', error_description: 'The authorization grant or refresh token is invalid, expired, revoked or does not match.' });
    expect(res.body).not.toContain('authorization code is invalid');
    expect(detailsOf(res.headers['x-request-id'])).toEqual(['The authorization code is invalid.']);
  });

  it('(c) authorize redirect: a missing code_challenge comes back as invalid_request with the same public description; the PKCE reason is logged', async () => {
    const { code_challenge: _omitted, ...query } = {
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      scope: 'organizations.voucher_programs.delegated',
      state: 'st-1',
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
    };
    const res = await app.inject({ method: 'GET', url: authorizeUrl(query) });
    expect(res.statusCode).toBe(302);
    const location = new URL(res.headers.location as string);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toBe('The request is missing a parameter, repeats one or is otherwise malformed.');
    expect(location.searchParams.get('state')).toBe('st-1');
    expect(detailsOf(res.headers['x-request-id'])).toEqual(['PKCE is required: send code_challenge with code_challenge_method=S256.']);

    // Every refusal the authorization endpoint redirects uses its code's one description.
    const scope = await app.inject({ method: 'GET', url: authorizeUrl({ ...query, code_challenge: pkcePair().challenge, scope: 'no.such.scope' }) });
    const scoped = new URL(scope.headers.location as string);
    expect(scoped.searchParams.get('error')).toBe('invalid_scope');
    expect(scoped.searchParams.get('error_description')).toBe('The requested scope is invalid, unknown or exceeds what may be granted.');
    expect(detailsOf(scope.headers['x-request-id'])).toEqual(['The scope no.such.scope cannot be granted to this client with the authorization code grant.']);
  });

  it('(d) HTML pages: the one error page shows the public text; the reason (which parameter, which client) is logged', async () => {
    const consent = await app.inject({ method: 'GET', url: `/business/authorize?client_id=${encodeURIComponent(client.client_id)}` });
    expect(consent.statusCode).toBe(400);
    expect(consent.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(consent.body).toContain(`<p role="alert" id="outcome" data-outcome="invalid_request">${translate('en_US', 'page_bad_request')}</p>`);
    expect(consent.body).not.toContain('scope is required');
    expect(detailsOf(consent.headers['x-request-id'])).toEqual(['scope is required (once)']);

    const signIn = await app.inject({ method: 'GET', url: authorizeUrl({ response_type: 'code', client_id: 'no-such-client', redirect_uri: REDIRECT }) });
    expect(signIn.statusCode).toBe(400);
    expect(signIn.body).toContain(translate('en_US', 'page_bad_client'));
    expect(signIn.body).not.toContain('unknown client');
    expect(detailsOf(signIn.headers['x-request-id'])).toEqual(['unknown client']);

    // The redemption pages word errors their own way, on the same page and through the same log.
    const redeem = await app.inject({ method: 'GET', url: '/redeem/not!a!code' });
    expect(redeem.statusCode).toBe(404);
    expect(redeem.body).toContain(`<p role="alert" id="outcome" data-outcome="malformed">${translate('en_US', 'redeem_malformed_text')}</p>`);
    expect(redeem.body).toContain(`<h1>${translate('en_US', 'redeem_malformed_title')}</h1>`);
    expect(detailsOf(redeem.headers['x-request-id'])).toEqual(['not a well-formed code']);
  });

  it('(e) redemption sign-in: a failed sign-in is the one error page with its fixed text and "try again"; why it failed is logged, never the code', async () => {
    const iss = h.ctx.config.issuer;
    const noFlow = await app.inject({ method: 'GET', url: `/redeem/callback?code=x&state=${'s'.repeat(43)}&iss=${encodeURIComponent(iss)}` });
    expect(noFlow.statusCode).toBe(400);
    expect(noFlow.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(noFlow.body).toContain(`<h1>${translate('en_US', 'redeem_signin_error_title')}</h1>`);
    expect(noFlow.body).toContain(`<p role="alert" id="outcome" data-outcome="sign_in_invalid">${translate('en_US', 'redeem_signin_invalid')}</p>`);
    expect(noFlow.body).not.toContain('try-again');
    expect(noFlow.body).not.toContain('flow cookie');
    expect(detailsOf(noFlow.headers['x-request-id'])).toEqual(['sign-in invalid: no sign-in flow cookie, or one not in shape']);

    // A flow past its lifetime knows the code it was claiming: the page links back to it.
    const [code] = generateCodes(1, h.ctx.random);
    const flow = { state: 'a'.repeat(43), verifier: 'b'.repeat(43), code: code!, startedAt: h.clock.now() - 601_000 };
    const late = await app.inject({
      method: 'GET',
      url: `/redeem/callback?code=x&state=${flow.state}&iss=${encodeURIComponent(iss)}`,
      headers: { cookie: `${SIGN_IN_FLOW_COOKIE}=${encodeFlow(flow)}`, 'accept-language': 'fr-FR' },
    });
    expect(late.statusCode).toBe(400);
    expect(late.body).toContain(`<p role="alert" id="outcome" data-outcome="sign_in_expired">${translate('fr_FR', 'redeem_signin_expired')}</p>`);
    expect(late.body).toContain(`<p><a id="try-again" href="/redeem/${code}">${translate('fr_FR', 'redeem_try_again')}</a></p>`);
    expect(late.body).not.toContain('lifetime');
    expect(detailsOf(late.headers['x-request-id'])).toEqual(['sign-in expired: the sign-in flow is older than its lifetime']);
    const denied = await app.inject({
      method: 'GET',
      url: `/redeem/callback?error=access_denied&state=${flow.state}&iss=${encodeURIComponent(iss)}`,
      headers: { cookie: `${SIGN_IN_FLOW_COOKIE}=${encodeFlow({ ...flow, startedAt: h.clock.now() })}` },
    });
    expect(denied.statusCode).toBe(403);
    expect(denied.body).toContain('data-outcome="sign_in_denied"');
    expect(detailsOf(denied.headers['x-request-id'])).toEqual(['sign-in denied: authorization answered error=access_denied']);
    // The voucher code is a live secret: it is on the page (the rider's own link), never in the log.
    expect(lines.filter((l) => l.includes(code!))).toEqual([]);
  });

  it('(f) the error page draws a "try again" link only to a path of this origin, escaped', () => {
    const error = new AppError('invalid_request', 'page_bad_request');
    const link = (href: string) => renderErrorPage('en_US', error, undefined, { href, label: 'redeem_try_again' });
    expect(link('/redeem/A"B<C')).toContain('<a id="try-again" href="/redeem/A&#34;B&#60;C">Try again</a>');
    for (const href of ['//evil.example/x', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', 'redeem/X', '/a b']) {
      expect(link(href)).not.toContain('try-again');
    }
  });
});
