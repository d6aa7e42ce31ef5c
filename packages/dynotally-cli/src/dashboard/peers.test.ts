import { describe, expect, it } from 'vitest';
import { browserHost, isLoopbackAddress, isLoopbackHost, tokenMatches } from './peers.ts';

describe('isLoopbackAddress', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])('takes %s as this machine', (a) => {
    expect(isLoopbackAddress(a)).toBe(true);
  });
  it.each([
    '192.168.1.20',
    '10.0.0.1',
    '::ffff:192.168.1.20',
    'fe80::1',
    '128.0.0.1',
    '1127.0.0.1',
    undefined,
  ])('takes %s as a network peer', (a) => {
    expect(isLoopbackAddress(a)).toBe(false);
  });
});

describe('listen hosts', () => {
  it('opens a wildcard host at 127.0.0.1 and brackets IPv6', () => {
    expect(browserHost('0.0.0.0')).toBe('127.0.0.1');
    expect(browserHost('::')).toBe('127.0.0.1');
    expect(browserHost('::1')).toBe('[::1]');
    expect(browserHost('192.168.1.20')).toBe('192.168.1.20');
  });
  it('knows which hosts stay on this machine', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('192.168.1.20')).toBe(false);
  });
});

describe('tokenMatches', () => {
  it('takes the exact token only', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abd', 'abc')).toBe(false);
    expect(tokenMatches('ab', 'abc')).toBe(false);
    expect(tokenMatches(undefined, 'abc')).toBe(false);
    expect(tokenMatches(['abc'], 'abc')).toBe(false);
  });
});
