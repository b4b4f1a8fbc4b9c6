/**
 * SSRF guard: decides whether a destination is public before freshprobe sends
 * to it. A config names URLs (API base URLs, deploy hooks, notifier webhooks);
 * without this, one line of YAML could make freshprobe POST secrets to the
 * cloud metadata service or an admin port on localhost. Runtime-independent:
 * name resolution is injected (node:dns in Node, none in a Worker).
 */
import { FreshprobeError } from '../core/errors.js';
import { parseIPv4, parseIPv6 } from './ip-literal.js';

/** Why an address is not public. */
export type AddressClass =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unique-local'
  | 'CGNAT'
  | 'multicast'
  | 'reserved';

/** Thrown when a destination is not public; not retryable (the config must change). */
export class PrivateAddressError extends FreshprobeError {
  readonly address: string;
  readonly addressClass: AddressClass;
  constructor(message: string, address: string, addressClass: AddressClass) {
    super(message);
    this.address = address;
    this.addressClass = addressClass;
  }
}

/** [first octet, second octet lower bound, upper bound (inclusive), class]. */
const V4_RANGES: ReadonlyArray<readonly [number, number, number, AddressClass]> = [
  [0, 0, 255, 'unspecified'],
  [10, 0, 255, 'private'],
  [100, 64, 127, 'CGNAT'],
  [127, 0, 255, 'loopback'],
  [169, 254, 254, 'link-local'],
  [172, 16, 31, 'private'],
  [192, 168, 168, 'private'],
  [198, 18, 19, 'reserved'], // benchmarking
];

function classifyV4(b: readonly number[]): AddressClass | undefined {
  const [a = 0, c = 0, d = 0] = b;
  for (const [first, lo, hi, cls] of V4_RANGES) if (a === first && c >= lo && c <= hi) return cls;
  if (a === 192 && c === 0 && d === 0) return 'reserved'; // IETF protocol assignments
  if (a >= 224 && a <= 239) return 'multicast';
  if (a >= 240) return 'reserved'; // includes the 255.255.255.255 broadcast
  return undefined;
}

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), if any. */
function embeddedV4(w: readonly number[]): number[] | undefined {
  const bytes = (hi: number, lo: number) => [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
  const zero = (from: number, to: number) => w.slice(from, to).every((x) => x === 0);
  if (zero(0, 5) && w[5] === 0xffff) return bytes(w[6]!, w[7]!); // ::ffff:a.b.c.d
  if (zero(0, 6) && (w[6] !== 0 || w[7]! > 1)) return bytes(w[6]!, w[7]!); // ::a.b.c.d
  if (w[0] === 0x64 && w[1] === 0xff9b && zero(2, 6)) return bytes(w[6]!, w[7]!); // NAT64
  if (w[0] === 0x2002) return bytes(w[1]!, w[2]!); // 6to4
  return undefined;
}

function classifyV6(w: readonly number[]): AddressClass | undefined {
  const v4 = embeddedV4(w);
  if (v4) return classifyV4(v4);
  if (w.every((x) => x === 0)) return 'unspecified';
  if (w.slice(0, 7).every((x) => x === 0) && w[7] === 1) return 'loopback';
  const first = w[0]!;
  if ((first & 0xfe00) === 0xfc00) return 'unique-local';
  if ((first & 0xffc0) === 0xfe80) return 'link-local';
  if ((first & 0xffc0) === 0xfec0) return 'private'; // deprecated site-local
  if ((first & 0xff00) === 0xff00) return 'multicast';
  if (first === 0x100 && w[1] === 0 && w[2] === 0 && w[3] === 0) return 'reserved'; // discard
  if (first === 0x64 && w[1] === 0xff9b && w[2] === 1) return 'private'; // local-use NAT64
  return undefined;
}

/**
 * The class of an IP literal (IPv4 dotted quad, or IPv6 with or without
 * brackets and zone), 'public' for a routable address, undefined when `ip`
 * is not an IP literal at all.
 */
export function classifyAddress(ip: string): AddressClass | 'public' | undefined {
  const text = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const v4 = parseIPv4(text);
  if (v4) return classifyV4(v4) ?? 'public';
  const v6 = parseIPv6(text);
  if (v6) return classifyV6(v6) ?? 'public';
  return undefined;
}

/** True for loopback, private, link-local, unique-local, CGNAT, multicast, unspecified, reserved. */
export function isPrivateAddress(ip: string): boolean {
  const cls = classifyAddress(ip);
  return cls !== undefined && cls !== 'public';
}

/** How to check a URL: `resolve` returns every address a host name maps to. */
export interface PublicUrlOptions {
  allowPrivate?: boolean;
  resolve?: (host: string) => Promise<string[]>;
}

const ALLOW_HINT = 'set allowPrivateAddresses: true to allow it';

function refuse(url: string, address: string, cls: AddressClass, via?: string): never {
  const article = cls === 'unspecified' ? 'an' : 'a';
  const what = via ? `${via} resolves to ${address}, ${article}` : `${address} is ${article}`;
  const message = `refusing ${url}: ${what} ${cls} address (${ALLOW_HINT})`;
  throw new PrivateAddressError(message, address, cls);
}

/**
 * Throws PrivateAddressError unless `url` points at a public address. An IP
 * literal is checked directly; `localhost` and `*.localhost` are loopback by
 * definition (RFC 6761); other names are resolved with `resolve` and refused
 * when ANY address is private, so a name with one public and one private
 * record cannot be used to reach the private one.
 */
export async function assertPublicUrl(url: string | URL, opts: PublicUrlOptions): Promise<void> {
  if (opts.allowPrivate) return;
  const parsed = new URL(url);
  const shown = `${parsed.protocol}//${parsed.host}`;
  const host = parsed.hostname.replace(/\.$/, '').toLowerCase();
  const literal = classifyAddress(host);
  if (literal !== undefined) {
    if (literal !== 'public') refuse(shown, host, literal);
    return;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) refuse(shown, host, 'loopback');
  if (!opts.resolve) return;
  for (const address of await opts.resolve(host)) {
    const cls = classifyAddress(address);
    if (cls !== undefined && cls !== 'public') refuse(shown, address, cls, host);
  }
}
