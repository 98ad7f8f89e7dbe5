import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

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
});
