import { describe, expect, it } from 'vitest';
import { isDynotallyError } from '../errors/index.ts';
import { granularityOrder, NMINUTE_SIZES, parseGranularity } from './granularity.ts';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isDynotallyError(e) ? e.code : 'not a DynotallyError';
  }
  return undefined;
}

describe('parseGranularity', () => {
  it.each(['second', 'minute', 'hour', 'day', 'week', 'month', 'year', 'all'] as const)('accepts %s', (s) => {
    expect(parseGranularity(s)).toEqual({ kind: s, id: s });
  });

  it.each(NMINUTE_SIZES.map((n) => [`${n}m`, n] as const))('accepts %s as nminute', (s, n) => {
    expect(parseGranularity(s)).toEqual({ kind: 'nminute', minutes: n, id: s });
  });

  it('normalises 1m to minute and 60m to hour, returning shared frozen specs', () => {
    expect(parseGranularity('1m')).toBe(parseGranularity('minute'));
    expect(parseGranularity('60m')).toBe(parseGranularity('hour'));
    expect(parseGranularity('15m')).toBe(parseGranularity('15m'));
    expect(Object.isFrozen(parseGranularity('15m'))).toBe(true);
  });

  it.each([
    '7m',
    '0m',
    '45m',
    '90m',
    '120m',
    '015m',
    '15',
    '15M',
    '15min',
    'Hour',
    ' day',
    'days',
    'quarter',
    '',
    '1h',
    'm',
  ])('rejects %j with GRANULARITY_INVALID', (s) => {
    expect(codeOf(() => parseGranularity(s))).toBe('GRANULARITY_INVALID');
  });

  it('names what is accepted in the message', () => {
    expect(() => parseGranularity('7m')).toThrow(/'hour'.*'15m'/);
  });

  it('rejects non-strings', () => {
    expect(codeOf(() => parseGranularity(15 as unknown as string))).toBe('GRANULARITY_INVALID');
  });
});

describe('granularityOrder', () => {
  it('sorts fine to coarse', () => {
    const ids = ['all', 'year', 'month', 'week', 'day', 'hour', '30m', '15m', '5m', 'minute', 'second'];
    const sorted = ids
      .map(parseGranularity)
      .sort((a, b) => granularityOrder(a) - granularityOrder(b))
      .map((s) => s.id);
    expect(sorted).toEqual([...ids].reverse());
    expect(granularityOrder(parseGranularity('all'))).toBe(Number.POSITIVE_INFINITY);
    expect(granularityOrder(parseGranularity('15m'))).toBe(900_000);
  });
});
