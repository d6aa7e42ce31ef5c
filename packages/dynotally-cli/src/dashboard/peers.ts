import { timingSafeEqual } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { isLoopbackIp, isLoopbackHost as isLoopbackName } from '../net/loopback.ts';

/** The header the dashboard page sends its remote-control token in (a custom header: cross-site pages need a preflight the dashboard never grants). */
export const TOKEN_HEADER = 'x-dynotally-token';

/**
 * Whether a socket's remote address is this machine's loopback (127.0.0.0/8, `::1`, or `::ffff:127.x.y.z`
 * as an IPv6 socket reports an IPv4 loopback peer): {@link isLoopbackIp}, the rule the CLI's endpoints share.
 *
 * @example
 * ```ts
 * isLoopbackAddress(req.socket.remoteAddress); // true for 127.0.0.1, false for 192.168.1.20
 * ```
 */
export function isLoopbackAddress(address: string | undefined): boolean {
  return isLoopbackIp(address);
}

/**
 * Whether a listen host is a wildcard (every interface: `0.0.0.0`, `::`).
 *
 * @example
 * ```ts
 * isWildcardHost('0.0.0.0'); // true
 * ```
 */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '' || host === '[::]';
}

/**
 * Whether a listen host reaches this machine only (a loopback address or `localhost`; not `*.localhost`):
 * {@link isLoopbackHost} of `net/loopback.ts`, the rule the CLI's endpoints share.
 *
 * @example
 * ```ts
 * isLoopbackHost('127.0.0.1'); // true; isLoopbackHost('0.0.0.0') is false
 * ```
 */
export function isLoopbackHost(host: string): boolean {
  return isLoopbackName(host);
}

/**
 * The host a browser on this machine opens for a listen host: `127.0.0.1` for a wildcard (a browser cannot
 * open `0.0.0.0`, and its `Host` would not name the dashboard), the listen host itself otherwise (IPv6 in
 * brackets).
 *
 * @example
 * ```ts
 * browserHost('0.0.0.0'); // '127.0.0.1'; browserHost('::1') is '[::1]'
 * ```
 */
export function browserHost(host: string): string {
  if (isWildcardHost(host)) return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * For a wildcard listen host, this machine's own interface addresses (as `Host` names: IPv6 in brackets, without
 * a zone), which browsers on the network send; `[]` for any other host. `0.0.0.0` listens on IPv4 only.
 *
 * @example
 * ```ts
 * interfaceHostNames('0.0.0.0'); // ['127.0.0.1', '192.168.1.20']
 * ```
 */
export function interfaceHostNames(host: string): string[] {
  if (!isWildcardHost(host)) return [];
  const ipv4Only = host === '0.0.0.0';
  const out = new Set<string>();
  for (const a of Object.values(networkInterfaces()).flat()) {
    if (a === undefined || (ipv4Only && a.family !== 'IPv4')) continue;
    out.add(a.family === 'IPv4' ? a.address : `[${a.address.split('%')[0]}]`);
  }
  return [...out];
}

/**
 * Whether a request's token header equals the dashboard's token (compared in constant time).
 *
 * @example
 * ```ts
 * if (!tokenMatches(req.headers['x-dynotally-token'], token)) return json(res, 403, { error: 'token' });
 * ```
 */
export function tokenMatches(given: string | string[] | undefined, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
