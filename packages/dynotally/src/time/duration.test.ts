import { describe, expect, it } from 'vitest';
import { isDynotallyError } from '../errors/index.ts';
import { parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it.each([
    ['1s', 1000],
    ['90s', 90_000],
    ['15m', 900_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    ['30d', 2_592_000_000],
    ['2w', 1_209_600_000],
    ['007d', 604_800_000],
  ])('parses %s', (s, ms) => {
    expect(parseDuration(s)).toBe(ms);
  });

  it.each([
    '',
    '7',
    'd',
    '0d',
    '-1d',
    '1.5h',
    '7 d',
    ' 7d',
    '7D',
    '7x',
    '1mo',
    '3M',
    '1y',
    '2years',
    '1h30m',
    '99999999999999999999d',
  ])('rejects %j with DURATION_INVALID', (s) => {
    let error: unknown;
    try {
      parseDuration(s);
    } catch (e) {
      error = e;
    }
    expect(isDynotallyError(error, 'DURATION_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/'15m'.*'7d'/);
  });

  it('explains that months and years are calendar units', () => {
    expect(() => parseDuration('3mo')).toThrow(/calendar units/);
    expect(() => parseDuration('1y')).toThrow(/month or year granularity/);
  });
});
