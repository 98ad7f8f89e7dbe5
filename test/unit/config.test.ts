import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, SETTINGS } from '../../src/config.js';

describe('config', () => {
  it('has documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: 'sqlite:./data/voucherd.db',
      publicUrl: 'http://127.0.0.1:8080',
      issuer: 'http://127.0.0.1:8080',
      maxCodesPerRequest: 30_000,
      maxCodesPerProgram: 1_000_000,
      accessTokenTtlSeconds: 3600,
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', PUBLIC_URL: 'ftp://x', LOG_LEVEL: 'loud', DEMO_BOOTSTRAP: 'maybe' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(/PORT[\s\S]*DATABASE_URL[\s\S]*PUBLIC_URL[\s\S]*LOG_LEVEL[\s\S]*DEMO_BOOTSTRAP/);
  });

  it('refuses limits that contradict each other', () => {
    expect(() => loadConfig({ MAX_CODES_PER_REQUEST: '2000', MAX_CODES_PER_PROGRAM: '1000' })).toThrow(/cannot exceed/);
  });

  it('strips a trailing slash from PUBLIC_URL and derives the issuer from it', () => {
    const c = loadConfig({ PUBLIC_URL: 'https://vouchers.example.com/' });
    expect(c.publicUrl).toBe('https://vouchers.example.com');
    expect(c.issuer).toBe('https://vouchers.example.com');
  });

  it('TRUST_PROXY is a hop count or a proxy list; true is refused with what to write instead', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.5,::1' }).trustProxy).toEqual(['10.0.0.0/8', '192.168.1.5', '::1']);
    for (const bad of ['true', 'TRUE', 'yes']) {
      let error: unknown;
      try {
        loadConfig({ TRUST_PROXY: bad });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toHaveLength(1);
      expect((error as ConfigError).problems[0]).toMatch(/TRUST_PROXY.*hop.*e\.g\. 1.*CIDR/);
    }
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY entry "10.0.0.0\/33"/);
    expect(() => loadConfig({ TRUST_PROXY: 'proxy.internal' })).toThrow(/TRUST_PROXY entry/);
  });

  it('each declared default is what an unset variable means', () => {
    const unset = loadConfig({});
    // Defaults that name another setting or a built-in table are derived, not parsed.
    const literal = Object.entries(SETTINGS).filter(([, s]) => !/[A-Z]{2}|\(/.test(s.default));
    expect(literal.length).toBeGreaterThan(60);
    for (const [name, s] of literal) {
      expect(loadConfig({ [name]: s.default }), name).toEqual(unset);
      expect(s.description.length, name).toBeGreaterThan(8);
    }
    expect(Object.keys(SETTINGS)).toHaveLength(77);
  });

  it('a bad DATABASE_URL is reported without its password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://admin:hunter2@db/x' })).toThrow(/DATABASE_URL must start with sqlite: or postgres:\/\/ \(got "mysql:\/\/admin:\*\*\*@db\/x"\)/);
  });

  it('derived defaults: PUBLIC_URL from HOST and PORT, the webhook environment from VOUCHERD_ENVIRONMENT, the work gates from their four settings', () => {
    const c = loadConfig({ HOST: '0.0.0.0', PORT: '9000', VOUCHERD_ENVIRONMENT: 'sandbox', GENERATION_QUEUE: '7', EXPORT_CONCURRENCY_PER_ORG: '3' });
    expect(c.publicUrl).toBe('http://127.0.0.1:9000');
    expect(c.issuer).toBe('http://127.0.0.1:9000');
    expect(c.webhookEnvironment).toBe('Sandbox');
    expect(c.generationGate).toEqual({ perOrg: 2, perOrgQueue: 2, perProcess: 4, perProcessQueue: 7 });
    expect(c.exportGate).toEqual({ perOrg: 3, perOrgQueue: 2, perProcess: 4, perProcessQueue: 16 });
    expect(() => loadConfig({ VOUCHERD_ENVIRONMENT: 'sandbox', WEBHOOK_ENVIRONMENT: 'production' })).toThrow(/WEBHOOK_ENVIRONMENT must be Sandbox/);
  });
});
