import { describe, expect, it } from 'vitest';
import { checkAddress, checkUrlSyntax, embeddedIPv4, resolveChecked, type Resolver } from '../../src/modules/webhooks/ssrf.js';

/**
 * IPv6 addresses that carry an IPv4 address are judged by that IPv4 address (docs/webhooks.md,
 * SSRF guard): otherwise `[::169.254.169.254]` reaches the metadata service as a "public" IPv6.
 */
const METADATA = '169.254.169.254';

// Teredo: 2001:0:<server IPv4>:<flags>:<port ^ 0xffff>:<client IPv4 ^ 0xffffffff>.
// 169.254.169.254 XOR 255.255.255.255 = 86.1.86.1 → 5601:5601; 127.0.0.1 → 80ff:fffe.
const FORMS: Array<[string, string, string[]]> = [
  ['IPv4-compatible (::/96), dotted', '::169.254.169.254', [METADATA]],
  ['IPv4-compatible (::/96), hex', '::a9fe:a9fe', [METADATA]],
  ['IPv4-mapped (::ffff:0:0/96)', '::ffff:169.254.169.254', [METADATA]],
  ['IPv4-translated (::ffff:0:0:0/96)', '::ffff:0:a9fe:a9fe', [METADATA]],
  ['NAT64 well-known prefix (64:ff9b::/96)', '64:ff9b::a9fe:a9fe', [METADATA]],
  ['NAT64 local-use prefix (64:ff9b:1::/48)', '64:ff9b:1::a9fe:a9fe', [METADATA]],
  ['6to4 (2002::/16)', '2002:a9fe:a9fe::1', [METADATA]],
  ['Teredo (2001::/32), client', '2001:0:5db8:d8e4:8000:63bf:5601:5601', ['93.184.216.228', METADATA]],
];

describe('H9: IPv6 forms embedding IPv4', () => {
  it.each(FORMS)('%s: %s carries %j', (_name, address, expected) => {
    expect(embeddedIPv4(address)).toEqual(expected);
  });

  it.each(FORMS)('%s: %s is refused, even with private targets allowed', (_name, address) => {
    for (const allowPrivate of [false, true]) {
      const verdict = checkAddress(address, allowPrivate);
      expect(verdict.ok, `${address} allowPrivate=${allowPrivate}`).toBe(false);
      if (!verdict.ok) expect(verdict.reason).toContain(`${METADATA} is a linkLocal address`);
    }
  });

  it.each([
    ['::127.0.0.1'],
    ['::7f00:1'],
    ['::ffff:127.0.0.1'],
    ['64:ff9b::127.0.0.1'],
    ['64:ff9b:1::7f00:1'],
    ['2002:7f00:1::'],
    ['2001:0:5db8:d8e4:8000:63bf:80ff:fffe'],
  ])('loopback inside %s: refused in production, allowed as loopback in development', (address) => {
    const verdict = checkAddress(address, false);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toContain('127.0.0.1 is a loopback address');
    expect(checkAddress(address, true).ok).toBe(true);
  });

  it('a Teredo address whose server is private is refused too', () => {
    // Server 10.0.0.1, client 93.184.216.228 (^ 0xffffffff = a247:271b).
    expect(checkAddress('2001:0:a00:1:8000:63bf:a247:271b', false).ok).toBe(false);
  });

  it('public IPv4 inside the translation forms stays reachable (IPv6-only networks with DNS64)', () => {
    for (const address of ['64:ff9b::93.184.216.228', '::ffff:93.184.216.228', '2002:5db8:d8e4::1', '2001:0:5db8:d8e4:8000:63bf:a247:271b']) {
      expect(checkAddress(address, false), address).toEqual({ ok: true });
    }
    expect(checkAddress('2606:4700::1111', false)).toEqual({ ok: true });
    expect(embeddedIPv4('2606:4700::1111')).toEqual([]);
    expect(embeddedIPv4('::1')).toEqual([]);
    expect(embeddedIPv4('::')).toEqual([]);
  });

  it.each([
    'http://[::169.254.169.254]/',
    'http://[::127.0.0.1]/',
    'http://[::a9fe:a9fe]/latest/meta-data/',
    'http://[64:ff9b:1::a9fe:a9fe]/',
    'http://[2002:a9fe:a9fe::]/',
    'http://[2001:0:5db8:d8e4:8000:63bf:5601:5601]/',
  ])('URL %s is refused at registration', (url) => {
    expect(checkUrlSyntax(url, false).ok).toBe(false);
  });

  it('a DNS answer in an embedding form is refused at delivery time', async () => {
    for (const address of ['::a9fe:a9fe', '64:ff9b::a9fe:a9fe', '2002:a9fe:a9fe::1', '::ffff:10.0.0.1']) {
      const resolver: Resolver = async () => [{ address, family: 6 }];
      const verdict = await resolveChecked('hooks.example.test', false, resolver);
      expect(verdict.ok, address).toBe(false);
    }
    const dev: Resolver = async () => [{ address: '::a9fe:a9fe', family: 6 }];
    expect((await resolveChecked('hooks.example.test', true, dev)).ok).toBe(false);
  });
});
