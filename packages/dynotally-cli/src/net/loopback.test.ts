import { describe, expect, it } from 'vitest';
import { isLoopbackEndpoint } from '../cli/config/clients.ts';
import { isLoopbackAddress, isLoopbackHost as isLoopbackListenHost } from '../dashboard/peers.ts';
import { isLoopbackHost, isLoopbackIp } from './loopback.ts';

// One row per edge: the text as it reaches the function, whether it is a loopback IP (a socket's remote address:
// the dashboard serves its API and controls to these peers only), and whether it is a loopback host (a listen host,
// or an endpoint URL's host: the CLI then skips --yes-write-to and uses DynamoDB Local's dummy credentials).
// When unsure, not loopback: a false "no" costs a confirmation flag or a warning, a false "yes" opens the controls.
const EDGES: readonly (readonly [text: string, ip: boolean, host: boolean, why: string])[] = [
  ['127.0.0.1', true, true, 'IPv4 loopback'],
  ['127.255.255.254', true, true, 'all of 127.0.0.0/8'],
  ['127.0.0.0', true, true, 'the network address is in 127/8 too'],
  ['::1', true, true, 'IPv6 loopback'],
  ['[::1]', true, true, "a URL's host brackets IPv6"],
  ['0:0:0:0:0:0:0:1', true, true, '::1 spelled out'],
  ['::ffff:127.0.0.1', true, true, 'a dual-stack socket reports an IPv4 loopback peer like this'],
  ['[::ffff:7f00:1]', true, true, 'what new URL makes of [::ffff:127.0.0.1]'],
  ['::FFFF:7F00:0001', true, true, 'IPv4-mapped in hex, upper case, leading zeros'],
  ['localhost', false, true, 'resolved by the hosts file'],
  ['LOCALHOST', false, true, 'host names are case-insensitive'],
  ['localhost.', false, false, 'the rooted name goes to the resolver, which may ask DNS'],
  ['foo.localhost', false, false, 'Node asks the system resolver, not a browser: DNS may answer anything'],
  ['127.0.0.1.nip.io', false, false, 'a DNS name that merely contains a loopback address'],
  ['127.example.com', false, false, 'a DNS name that starts like one'],
  ['0.0.0.0', false, false, 'unspecified: every interface as a listen host'],
  ['::', false, false, 'unspecified IPv6'],
  ['[::]', false, false, 'unspecified IPv6 in brackets'],
  ['::127.0.0.1', false, false, 'IPv4-compatible (deprecated), not routed to loopback'],
  ['::ffff:0:7f00:1', false, false, 'IPv4-translated, not mapped'],
  ['64:ff9b::7f00:1', false, false, 'NAT64 of 127.0.0.1 leaves the machine'],
  ['::ffff:192.168.1.20', false, false, 'a mapped LAN peer'],
  ['::1%lo', false, false, 'a zone: not a form a loopback peer takes'],
  ['[::1', false, false, 'unbalanced bracket'],
  ['2130706433', false, false, 'integer IPv4: raw text in a parser-specific spelling is not trusted'],
  ['0x7f.1', false, false, 'hex shorthand IPv4: same'],
  ['127.1', false, false, 'shorthand IPv4: same'],
  ['0177.0.0.1', false, false, 'octal IPv4: same'],
  ['127.0.0.01', false, false, 'a leading zero (octal to some parsers)'],
  ['127.256.0.1', false, false, 'not an address'],
  ['128.0.0.1', false, false, 'outside 127/8'],
  ['1127.0.0.1', false, false, 'not an address'],
  ['192.168.1.20', false, false, 'a LAN address'],
  ['fe80::1', false, false, 'link-local'],
  ['', false, false, 'empty'],
];

describe('loopback (one rule for the dashboard and the CLI)', () => {
  it.each(EDGES)('%j: IP %s, host %s (%s)', (text, ip, host) => {
    expect(isLoopbackIp(text)).toBe(ip);
    expect(isLoopbackHost(text)).toBe(host);
    // the dashboard's socket and listen-host checks are these very rules
    expect(isLoopbackAddress(text)).toBe(ip);
    expect(isLoopbackListenHost(text)).toBe(host);
  });

  it('takes no address as not loopback', () => {
    expect(isLoopbackIp(undefined)).toBe(false);
    expect(isLoopbackAddress(undefined)).toBe(false);
  });

  // What reaches the rule from an endpoint is new URL(endpoint).hostname: the URL parser lower-cases names and
  // turns the IPv4 spellings into a dotted quad (2130706433, 0x7f.1, 127.1, 0177.0.0.1 all become 127.0.0.1, so
  // those endpoints do reach this machine), and IPv4-mapped IPv6 into hex.
  it.each([
    ['http://127.0.0.1:8000', true],
    ['http://127.255.255.254:8000', true],
    ['http://[::1]:8000', true],
    ['http://[0:0:0:0:0:0:0:1]:8000', true],
    ['http://[::ffff:127.0.0.1]:8000', true],
    ['http://[::ffff:7f00:1]:8000', true],
    ['http://LOCALHOST:8000', true],
    ['http://2130706433:8000', true],
    ['http://0x7f.1:8000', true],
    ['http://127.1:8000', true],
    ['http://0177.0.0.1:8000', true],
    ['http://127.0.0.1.:8000', true],
    ['http://localhost.:8000', false],
    ['http://foo.localhost:8000', false],
    ['http://127.0.0.1.nip.io:8000', false],
    ['http://0.0.0.0:8000', false],
    ['http://[::]:8000', false],
    ['http://[::127.0.0.1]:8000', false],
    ['http://user@127.0.0.1.evil.example:8000', false],
    ['http://127.0.0.1@evil.example:8000', false],
    ['not a url', false],
  ])('endpoint %s is on this machine: %s', (endpoint, local) => {
    expect(isLoopbackEndpoint(endpoint)).toBe(local);
  });
});
