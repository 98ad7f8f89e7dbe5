import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeOrganization } from '../../../src/modules/business/business.service.js';
import { createClient } from '../../../src/modules/oauth/client.service.js';
import { SIGNING_KEY_PURPOSE } from '../../../src/modules/webhooks/endpoint.service.js';
import { verifyUberSignature } from '../../../src/modules/webhooks/verify.js';
import { webhookWorker, type WebhookWorker } from '../../../src/modules/webhooks/webhook.worker.js';
import { axeViolations } from '../../helpers/axe.js';
import { signInThroughPages, useConsoleRig } from '../../helpers/console-browser.js';
import { bearer } from '../../helpers/harness.js';
import { startReceiver, type Receiver } from '../../helpers/receiver.js';

/**
 * The console's Developers screen end to end (docs/console.md, Developers): add an endpoint that
 * points at a real local receiver, see its signing key once, an event arrives and shows in the
 * delivery log, Re-send delivers the same message again (signature checked), revoke an authorized
 * app and its token is refused, delete an endpoint behind a confirmation. axe-core, no CSP violation.
 */
const engine = process.env.TEST_DATABASE_URL?.startsWith('postgres') ? 'postgres' : 'sqlite';
const SHOTS = engine === 'sqlite' ? join(process.cwd(), 'docs', 'images') : join(process.cwd(), '.scratch', 'console-developers-postgres');
const signal = new AbortController().signal;

// The receiver listens on loopback, which registration refuses unless allowed (docs/webhooks.md, SSRF guard).
const rig = useConsoleRig('Alpha Rides', { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' });
let receiver: Receiver;
let worker: WebhookWorker;

beforeAll(async () => {
  receiver = await startReceiver();
  worker = webhookWorker(rig.h.ctx);
});

// Runs before the rig's afterAll: the worker stops while the app is still open.
afterAll(async () => {
  await worker?.close();
  await receiver?.close();
});

describe('console developers', () => {
  it('adds an endpoint (key shown once), shows and re-sends a delivery, revokes an authorized app, deletes the endpoint', async () => {
    const partner = await createClient(rig.h.ctx, { kind: 'THIRD_PARTY', name: 'Partner Travel', scopes: ['organizations.voucher_programs.aggregator'] });
    await authorizeOrganization(rig.h.ctx, rig.alpha.organizationId, partner.client_id, rig.alpha.adminUserId);
    const partnerToken = await rig.h.token(partner.client_id, partner.client_secret, 'organizations.voucher_programs.aggregator');
    const partnerSearch = () =>
      rig.h.app.inject({ method: 'POST', url: `/v1/organizations/${rig.alpha.organizationId}/voucher-programs/search`, headers: bearer(partnerToken), payload: {} });
    expect((await partnerSearch()).statusCode).toBe(200);

    const context = await rig.browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'en-US' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: rig.base });
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    try {
      await page.goto(`${rig.base}/console/orgs/${rig.alpha.organizationId}/programs`);
      await signInThroughPages(page, rig.base, rig.adminEmail);
      await page.getByRole('link', { name: 'Developers' }).click();
      await page.getByRole('heading', { name: 'Developers', level: 1 }).waitFor();
      expect(page.url()).toBe(`${rig.base}/console/orgs/${rig.alpha.organizationId}/developers`);
      await page.getByText('No webhook endpoint yet.').waitFor();

      // A bad URL: the API's message next to the field, nothing added.
      await page.getByLabel('Endpoint URL (https://…)').fill('ftp://files.example.com/x');
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      await expect.poll(() => page.locator('#endpoint-url-error').innerText()).toContain('The webhook URL is not allowed');
      expect(await rig.h.ctx.database.db.selectFrom('webhook_endpoints').select('id').execute()).toEqual([]);

      const hookUrl = `${receiver.url}/hooks`;
      await page.getByLabel('Endpoint URL (https://…)').fill(hookUrl);
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      await page.getByRole('heading', { name: `Signing key of ${hookUrl}` }).waitFor();
      await page.getByText('Copy it now: you will not see it again.').waitFor();
      const key = await page.getByRole('textbox', { name: 'Signing key' }).inputValue();
      expect(key).toMatch(/^whsec_/);
      const row = await rig.h.ctx.database.db.selectFrom('webhook_endpoints').selectAll().executeTakeFirstOrThrow();
      expect(row.client_id).toBe(rig.alpha.clientId);
      expect(rig.h.ctx.secrets().open(row.signing_key, SIGNING_KEY_PURPOSE)).toBe(key);
      await page.getByRole('button', { name: 'Copy key' }).click();
      await page.getByText('Copied.').waitFor();
      expect(await page.evaluate('navigator.clipboard.readText()')).toBe(key);
      await page.getByRole('row', { name: new RegExp(hookUrl.replace(/[.]/g, '\\.')) }).waitFor();

      // An event: a program created through the API reaches the receiver and shows in the log.
      await rig.h.createProgram(rig.alpha, { name: 'Airport rides' });
      await worker.run(rig.h.ctx, signal);
      expect(receiver.requests).toHaveLength(1);
      await page.getByRole('button', { name: `Delivery log: ${hookUrl}` }).click();
      const delivery = page.getByRole('row', { name: /voucher_program_created/ });
      await delivery.waitFor();
      expect(await delivery.innerText()).toMatch(/SUCCEEDED\s+1\s+—/);
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: join(SHOTS, 'console-developers.png'), fullPage: true });

      // Dismissed, the key is gone from the page for good.
      await page.getByRole('button', { name: 'I have saved it' }).click();
      await page.getByRole('heading', { name: `Signing key of ${hookUrl}` }).waitFor({ state: 'detached' });
      expect(await page.content()).not.toContain(key);

      // Re-send: the same message (id and bytes) arrives again, signed with the endpoint's key.
      await page.getByRole('button', { name: /^Re-send voucher_program_created of / }).click();
      await page.getByText('Queued for re-sending.').waitFor();
      await worker.run(rig.h.ctx, signal);
      expect(receiver.requests).toHaveLength(2);
      const [first, second] = receiver.requests;
      expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
      expect(second!.raw.equals(first!.raw)).toBe(true);
      expect(verifyUberSignature(key, second!.raw, second!.headers['x-uber-signature'] as string)).toBe(true);

      // Revoke the authorized app, behind a confirmation; its token is refused at once.
      const appRow = page.getByRole('row', { name: /Partner Travel/ });
      expect(await appRow.innerText()).toContain('active');
      await page.getByRole('button', { name: 'Revoke Partner Travel' }).click();
      const dialog = page.getByRole('alertdialog');
      await dialog.getByText('Revoke Partner Travel? Its access to this organization ends at once').waitFor();
      expect(await page.evaluate('document.activeElement?.textContent')).toBe('Keep it');
      expect(await axeViolations(page)).toEqual([]);
      await dialog.getByRole('button', { name: 'Revoke access' }).click();
      await page.getByText('Access of Partner Travel revoked.').waitFor();
      await expect.poll(() => appRow.innerText()).not.toContain('active');
      expect(await page.getByRole('button', { name: 'Revoke Partner Travel' }).count()).toBe(0);
      const refused = await partnerSearch();
      expect(refused.statusCode).toBe(403);
      expect(refused.json().code).toBe('unauthorized');

      // Delete, confirmed: the endpoint is gone.
      await page.getByRole('button', { name: `Delete: ${hookUrl}` }).click();
      await dialog.getByRole('button', { name: 'Delete endpoint' }).click();
      await page.getByText('Endpoint deleted.').waitFor();
      await page.getByText('No webhook endpoint yet.').waitFor();
      const after = await rig.h.ctx.database.db.selectFrom('webhook_endpoints').select('deleted_at').executeTakeFirstOrThrow();
      expect(after.deleted_at).not.toBeNull();
      expect(cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
