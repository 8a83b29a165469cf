/**
 * The client's address behind trusted proxies (`CRM_TRUST_PROXY`), for everything the server
 * keys by address: the failed-handshake throttle, the ceiling on handshakes in flight, the logs.
 *
 * A proxy that terminates TCP (nginx, an AWS ALB, a Kubernetes ingress) is the TCP peer of every
 * client, and names the client in `X-Forwarded-For` instead, appending the address it received
 * the request from to whatever the request already carried. So the header is read from the
 * right: each address a trusted proxy added is skipped while it is itself a trusted proxy, and
 * the first untrusted one is the client. Everything to its left came from the client and could
 * be anything, so it is never read. The walk starts only when the TCP peer is trusted: a client
 * that reaches the server directly cannot choose its address with a header it writes itself.
 *
 * An entry that is not an address (`unknown`, an obfuscated name, garbage) ends the walk at the
 * last trusted hop reached, as does the hop limit: neither throws, and nothing after them is
 * believed. Only `X-Forwarded-For` is read. A proxy that appends to it usually passes a client's
 * own `Forwarded` header (RFC 7239) through untouched, so reading that one too would let clients
 * behind such a proxy pick their address.
 */
import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

/** Named ranges `CRM_TRUST_PROXY` accepts besides addresses and CIDR ranges. */
const NAMED_RANGES: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/**
 * `X-Forwarded-For` entries read at most, from the right. A real chain has a few hops; the limit
 * bounds the work a long header costs, and a chain of trusted hops longer than it ends at the
 * leftmost one read.
 */
export const MAX_FORWARDED_HOPS = 16;

/** The proxies whose `X-Forwarded-For` is believed. */
export class TrustedProxies {
  private constructor(
    private readonly list: BlockList,
    /** No entries: nothing is trusted, and the TCP peer is the client. */
    readonly empty: boolean,
  ) {}

  /**
   * From entries such as `10.0.0.0/8`, `fd00::/8`, `127.0.0.1`, `::ffff:10.0.0.5`, `loopback`,
   * `linklocal`, `private`. Throws an `Error` naming the first entry that is none of these.
   */
  static parse(entries: readonly string[]): TrustedProxies {
    const list = new BlockList();
    let count = 0;
    for (const raw of entries) {
      const entry = raw.trim();
      if (entry === '') continue;
      const named = NAMED_RANGES[entry.toLowerCase()];
      for (const range of named ?? [entry]) {
        if (!addRange(list, range)) {
          throw new Error(
            `${JSON.stringify(entry)} is not an IP address, a CIDR range (10.0.0.0/8, fd00::/8) or one of ${Object.keys(NAMED_RANGES).join(', ')}`,
          );
        }
      }
      count++;
    }
    return new TrustedProxies(list, count === 0);
  }

  /** Trusts nothing: the TCP peer is always the client. */
  static readonly none = TrustedProxies.parse([]);

  /** Whether `address` (a canonical address, see `canonicalAddress`) is a trusted proxy. */
  trusts(address: string): boolean {
    if (this.empty) return false;
    const family = isIP(address);
    if (family === 0) return false;
    return this.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }

  /**
   * The client's address: the TCP peer's when it is not trusted, else the first untrusted
   * address of `forwardedFor` (the `X-Forwarded-For` values, several headers joined by commas)
   * read from the right; the last trusted one reached when there is none, or when an entry is
   * not an address or the hop limit is reached first.
   */
  clientAddress(peer: string, forwardedFor: string | readonly string[] | undefined): string {
    if (this.empty) return peer;
    let current = canonicalAddress(peer) ?? peer;
    if (!this.trusts(current) || forwardedFor === undefined) return current;
    const header = typeof forwardedFor === 'string' ? forwardedFor : forwardedFor.join(',');
    // Only the rightmost entries are split off, so a huge header costs no more than a short one.
    let end = header.length;
    for (let hop = 0; hop < MAX_FORWARDED_HOPS && end >= 0; hop++) {
      const comma = header.lastIndexOf(',', end - 1);
      const entry = header.slice(comma + 1, end);
      end = comma;
      const address = forwardedAddress(entry);
      if (address === undefined) return current;
      current = address;
      if (!this.trusts(address)) return address;
      if (comma < 0) break;
    }
    return current;
  }
}

/** The client address of a request (an upgrade or a plain HTTP request). */
export function requestAddress(req: IncomingMessage, trusted: TrustedProxies): string {
  const peer = req.socket.remoteAddress ?? '';
  if (trusted.empty) return peer;
  return trusted.clientAddress(peer, req.headers['x-forwarded-for']);
}

/**
 * An IP address as one spelling: an IPv4-mapped IPv6 address (`::ffff:10.0.0.5`, how a
 * dual-stack socket shows an IPv4 peer) as plain IPv4, so one client keeps one key however it
 * arrived. Undefined for anything that is not an address.
 */
export function canonicalAddress(address: string): string | undefined {
  const family = isIP(address);
  if (family === 4) return address;
  if (family !== 6 || address.includes('%')) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  return mapped !== undefined && isIP(mapped) === 4 ? mapped : address.toLowerCase();
}

/**
 * What the per-address limits (the failed-handshake throttle, the ceiling on handshakes in flight)
 * count an address under: an IPv4 address as it is, an IPv6 one by its /64 network
 * (`2001:db8:0:1::/64`). A single IPv6 host is routinely given a whole /64 and may use any address
 * in it, a new one per socket if it likes: counted by the address, it would meet no limit at all,
 * and could flood the throttle until it forgot everyone else. A /64 is one network, as the public
 * IPv4 address of an office behind NAT is, and the limits are sized for such offices. Anything
 * that is not an address is its own key.
 */
export function addressKey(address: string): string {
  const canonical = canonicalAddress(address);
  if (canonical === undefined || isIP(canonical) !== 6) return canonical ?? address;
  const hextets = ipv6Hextets(canonical);
  return `${hextets.slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, in hex without leading zeros. */
function ipv6Hextets(address: string): string[] {
  let text = address;
  // A trailing dotted quad (`::1.2.3.4`) is the last two groups.
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const gap = text.indexOf('::');
  const split = (part: string) => (part === '' ? [] : part.split(':'));
  let groups: string[];
  if (gap < 0) groups = split(text);
  else {
    const head = split(text.slice(0, gap));
    const tail = split(text.slice(gap + 2));
    groups = [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
  }
  return groups.map((group) => parseInt(group, 16).toString(16));
}

/**
 * One `X-Forwarded-For` entry as an address: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`,
 * `[2001:db8::1]` or `[2001:db8::1]:443`, spaces around it allowed. Undefined for anything else.
 */
export function forwardedAddress(entry: string): string | undefined {
  const value = entry.trim();
  if (value.length > 64) return undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(value);
  if (bracketed) {
    const inner = bracketed[1]!;
    return isIP(inner) === 6 && isPort(bracketed[2]) ? canonicalAddress(inner) : undefined;
  }
  const withPort = /^(\d+\.\d+\.\d+\.\d+):(\d{1,5})$/.exec(value);
  if (withPort) return isPort(withPort[2]) ? canonicalAddress(withPort[1]!) : undefined;
  return canonicalAddress(value);
}

/** A port after an address, when there is one: 1 to 65535. */
function isPort(digits: string | undefined): boolean {
  if (digits === undefined) return true;
  const port = Number(digits);
  return port >= 1 && port <= 65_535;
}

/** Adds an address or CIDR range to `list`; false when `range` is neither. */
function addRange(list: BlockList, range: string): boolean {
  const slash = range.indexOf('/');
  const base = slash < 0 ? range : range.slice(0, slash);
  const address = canonicalAddress(base);
  if (address === undefined) return false;
  const v4 = isIP(address) === 4;
  const bits = v4 ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    const digits = range.slice(slash + 1);
    if (!/^\d{1,3}$/.test(digits)) return false;
    prefix = Number(digits);
    // A range written on IPv4-mapped IPv6 (`::ffff:10.0.0.0/104`) covers those IPv4 addresses.
    if (v4 && isIP(base) === 6) prefix -= 96;
    if (prefix < 0 || prefix > bits) return false;
  }
  list.addSubnet(address, prefix, v4 ? 'ipv4' : 'ipv6');
  return true;
}
