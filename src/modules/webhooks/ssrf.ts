import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * SSRF guard for webhook targets (docs/webhooks.md, docs/guarantees.md). A target is refused when its host is,
 * or resolves to, an address that is not public unicast: loopback, RFC 1918, link-local (incl. the
 * 169.254.169.254 metadata service), CGNAT, unique-local, multicast, unspecified, reserved, and
 * IPv6 forms embedding such an IPv4 address (compatible, mapped, NAT64, 6to4, Teredo: see
 * `embeddedIPv4`, each judged by the IPv4 it carries). WHATWG URL parsing first canonicalizes
 * odd spellings (`2130706433`, `0x7f.1`, `0177.0.0.1` → 127.0.0.1).
 *
 * With `allowPrivate` (WEBHOOK_ALLOW_PRIVATE_TARGETS, for local development and tests) loopback,
 * RFC 1918, CGNAT and unique-local targets are allowed; link-local/metadata, multicast and
 * reserved ranges never are.
 */

const DEV_ALLOWED = new Set(['loopback', 'private', 'carrierGradeNat', 'uniqueLocal']);
/** Cloud metadata services outside the link-local range: refused even with the dev allow-list. */
const METADATA = new Set(['fd00:ec2::254', '100.100.100.200']);

export type AddressVerdict = { ok: true } | { ok: false; reason: string };

/**
 * The IPv4 addresses an IPv6 address carries, so they are judged as themselves (docs/webhooks.md,
 * SSRF guard): IPv4-compatible `::a.b.c.d` (::/96 without :: and ::1), IPv4-mapped
 * `::ffff:a.b.c.d`, IPv4-translated `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::/96` and `64:ff9b:1::/48`
 * (last 32 bits), 6to4 `2002:AABB:CCDD::/48` (bits 16–47) and Teredo `2001:0::/32` (its server at
 * bits 32–63 and its client in the last 32 bits, XOR 0xffffffff). Empty for any other address.
 */
export function embeddedIPv4(address: string): string[] {
  if (!ipaddr.IPv6.isValid(address)) return [];
  const parts = ipaddr.IPv6.parse(address).parts;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const zero = (from: number, to: number) => parts.slice(from, to).every((p) => p === 0);
  const last = v4(parts[6]!, parts[7]!);
  if (zero(0, 6) && (parts[6] !== 0 || parts[7]! > 1)) return [last]; // ::/96 (not :: or ::1)
  if (zero(0, 5) && parts[5] === 0xffff) return [last]; // ::ffff:0:0/96
  if (zero(0, 4) && parts[4] === 0xffff && parts[5] === 0) return [last]; // ::ffff:0:0:0/96
  if (parts[0] === 0x64 && parts[1] === 0xff9b && zero(2, 6)) return [last]; // 64:ff9b::/96
  if (parts[0] === 0x64 && parts[1] === 0xff9b && parts[2] === 1) return [last]; // 64:ff9b:1::/48
  if (parts[0] === 0x2002) return [v4(parts[1]!, parts[2]!)]; // 6to4
  if (parts[0] === 0x2001 && parts[1] === 0) return [v4(parts[2]!, parts[3]!), v4(parts[6]! ^ 0xffff, parts[7]! ^ 0xffff)]; // Teredo
  return [];
}

export function checkAddress(address: string, allowPrivate: boolean): AddressVerdict {
  if (!ipaddr.isValid(address)) return { ok: false, reason: 'not an IP address' };
  const embedded = embeddedIPv4(address);
  if (embedded.length > 0) {
    // Judged by the IPv4 it reaches: `[::169.254.169.254]` is the metadata service, never "public".
    for (const inner of embedded) {
      const verdict = checkAddress(inner, allowPrivate);
      if (!verdict.ok) return { ok: false, reason: `${address} carries ${verdict.reason}` };
    }
    return { ok: true };
  }
  const parsed = ipaddr.parse(address);
  if (METADATA.has(parsed.toNormalizedString().replace(/(^|:)0+(?=[0-9a-f])/g, '$1')) || METADATA.has(parsed.toString())) {
    return { ok: false, reason: `${address} is a metadata address` };
  }
  const range = parsed.range();
  if (range === 'unicast') return { ok: true };
  if (allowPrivate && DEV_ALLOWED.has(range)) return { ok: true };
  return { ok: false, reason: `${address} is a ${range} address` };
}

export type UrlVerdict = { ok: true; url: URL } | { ok: false; reason: string };

/** Syntax and literal-address checks (no DNS): scheme, credentials, IP-literal hosts. */
export function checkUrlSyntax(raw: string, allowPrivate: boolean): UrlVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'not an absolute URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: 'scheme must be http or https' };
  if (url.username || url.password) return { ok: false, reason: 'credentials in the URL are not allowed' };
  if (url.hash) return { ok: false, reason: 'a fragment is not allowed' };
  const host = hostOf(url);
  if (host === '') return { ok: false, reason: 'host is missing' };
  if (isIP(host)) {
    const verdict = checkAddress(host, allowPrivate);
    if (!verdict.ok) return verdict;
  } else if (!allowPrivate && /(^|\.)(localhost|localdomain|internal|local)$/i.test(host.replace(/\.$/, ''))) {
    return { ok: false, reason: `${host} is a local name` };
  }
  return { ok: true, url };
}

/** The hostname without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

export type Resolver = (host: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) => {
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

/**
 * Resolves a host and checks every address (one bad record refuses the host, so DNS answers mixing
 * public and private addresses cannot be used to slip through). Returns the checked addresses.
 */
export async function resolveChecked(host: string, allowPrivate: boolean, resolver: Resolver = systemResolver): Promise<{ ok: true; addresses: LookupAddress[] } | { ok: false; reason: string }> {
  if (isIP(host)) {
    const verdict = checkAddress(host, allowPrivate);
    return verdict.ok ? { ok: true, addresses: [{ address: host, family: isIP(host) }] } : verdict;
  }
  let addresses: LookupAddress[];
  try {
    addresses = await resolver(host);
  } catch {
    return { ok: false, reason: `${host} could not be resolved` };
  }
  if (addresses.length === 0) return { ok: false, reason: `${host} could not be resolved` };
  for (const a of addresses) {
    const verdict = checkAddress(a.address, allowPrivate);
    if (!verdict.ok) return { ok: false, reason: `${host} resolves to ${verdict.reason}` };
  }
  return { ok: true, addresses };
}

/** Full check of a target URL: syntax, then DNS resolution of its host. */
export async function checkTargetUrl(raw: string, allowPrivate: boolean, resolver?: Resolver): Promise<UrlVerdict> {
  const syntax = checkUrlSyntax(raw, allowPrivate);
  if (!syntax.ok) return syntax;
  const resolved = await resolveChecked(hostOf(syntax.url), allowPrivate, resolver);
  return resolved.ok ? syntax : resolved;
}
