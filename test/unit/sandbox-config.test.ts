import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { DEFAULT_RATES } from '../../src/modules/sandbox/rates.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('sandbox configuration (docs/sandbox.md)', () => {
  it('defaults to production; a sandbox marks its webhooks Sandbox', () => {
    expect(loadConfig({})).toMatchObject({ environment: 'production', webhookEnvironment: 'production', sandboxRunSeconds: 5, sandboxPollMs: 500, sandboxLeaseSeconds: 30 });
    expect(loadConfig({})).toHaveProperty('sandboxRates', DEFAULT_RATES);
    expect(loadConfig({ VOUCHERD_ENVIRONMENT: 'Sandbox' })).toMatchObject({ environment: 'sandbox', webhookEnvironment: 'Sandbox' });
  });

  it('refuses an unknown environment, and a sandbox that would call itself production in webhooks', () => {
    expect(problems({ VOUCHERD_ENVIRONMENT: 'staging' })).toEqual([expect.stringMatching(/VOUCHERD_ENVIRONMENT must be production or sandbox/)]);
    expect(problems({ VOUCHERD_ENVIRONMENT: 'sandbox', WEBHOOK_ENVIRONMENT: 'production' })).toEqual([expect.stringMatching(/WEBHOOK_ENVIRONMENT must be Sandbox/)]);
    expect(loadConfig({ VOUCHERD_ENVIRONMENT: 'sandbox', WEBHOOK_ENVIRONMENT: 'sandbox' }).webhookEnvironment).toBe('sandbox');
  });

  it('SANDBOX_RATES overrides products field by field and adds new ones', () => {
    const c = loadConfig({ SANDBOX_RATES: JSON.stringify({ uberx: { minimum: 6 }, TUKTUK: { base: 1, per_km: 0.5, per_minute: 0.1, minimum: 2 } }) });
    expect(c.sandboxRates.UBERX).toEqual({ ...DEFAULT_RATES.UBERX, minimum: 6 });
    expect(c.sandboxRates.TUKTUK).toEqual({ base: 1, per_km: 0.5, per_minute: 0.1, minimum: 2, kmh: 30 });
    expect(c.sandboxRates.BLACK).toEqual(DEFAULT_RATES.BLACK);
  });

  it('lists every SANDBOX_RATES problem', () => {
    expect(problems({ SANDBOX_RATES: 'not json' })).toEqual([expect.stringMatching(/SANDBOX_RATES must be a JSON object/)]);
    expect(problems({ SANDBOX_RATES: '[1]' })).toEqual([expect.stringMatching(/SANDBOX_RATES must be a JSON object/)]);
    const listed = problems({ SANDBOX_RATES: JSON.stringify({ NEW: { base: 1 }, UBERX: { per_km: -1, surge: 2 }, 'bad name': {} }), SANDBOX_RUN_SECONDS: '-1' });
    expect(listed.join('\n')).toMatch(/SANDBOX_RUN_SECONDS/);
    expect(listed.join('\n')).toMatch(/NEW needs per_km, per_minute, minimum/);
    expect(listed.join('\n')).toMatch(/UBERX has unknown field\(s\) surge/);
    expect(listed.join('\n')).toMatch(/UBERX\.per_km must be a number/);
    expect(listed.join('\n')).toMatch(/product "bad name"/);
  });
});
