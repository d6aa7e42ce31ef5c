import { isIPv4, isIPv6 } from 'node:net';

/**
 * Whether a numeric IP address is this machine's loopback: IPv4 `127.0.0.0/8` in strict dotted-quad form
 * (four decimal parts, no leading zeros), IPv6 `::1` in any spelling, or an IPv4-mapped loopback
 * (`::ffff:127.x.y.z`, also written `::ffff:7f00:1`, as a dual-stack socket reports an IPv4 peer). IPv6 may come
 * in brackets (`[::1]`, as a URL's host has it).
 *
 * Anything else is not loopback, on the safe side: the unspecified addresses (`0.0.0.0`, `::`), IPv4-compatible
 * (`::127.0.0.1`) and NAT64 forms, a zone (`::1%lo`), and IPv4 in the shorthand or octal/hex spellings some
 * parsers accept (`2130706433`, `0x7f.1`, `127.1`, `0177.0.0.1`): `new URL` turns those into `127.0.0.1` before
 * they get here, and raw text in such a spelling is not taken on trust.
 *
 * @example
 * ```ts
 * isLoopbackIp('127.0.0.1'); // true
 * isLoopbackIp('::ffff:127.0.0.1'); // true
 * isLoopbackIp('0.0.0.0'); // false
 * ```
 */
export function isLoopbackIp(address: string | undefined): boolean {
  if (address === undefined) return false;
  // Node's isIPv4 takes strict dotted quads only (no leading zeros, each part 0–255)
  if (isIPv4(address)) return address.startsWith('127.');
  const v6 = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (!isIPv6(v6) || v6.includes('%')) return false;
  const canonical = canonicalIPv6(v6);
  return canonical === '::1' || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(canonical);
}

/**
 * Whether a host name or address reaches this machine only: `localhost` in any case, or a loopback address
 * ({@link isLoopbackIp}). Deliberately not loopback: `localhost.` and `*.localhost` (Node resolves them through
 * the system resolver, which on many systems asks DNS, whose answer can be any address) and names that merely
 * contain a loopback address (`127.0.0.1.nip.io`).
 *
 * @example
 * ```ts
 * isLoopbackHost('LOCALHOST'); // true
 * isLoopbackHost('[::1]'); // true
 * isLoopbackHost('foo.localhost'); // false
 * ```
 */
export function isLoopbackHost(host: string): boolean {
  return host.toLowerCase() === 'localhost' || isLoopbackIp(host);
}

/** The WHATWG URL serialisation of an IPv6 address: lower case, zeros compressed, an embedded IPv4 in hex. */
function canonicalIPv6(address: string): string {
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return '';
  }
}
