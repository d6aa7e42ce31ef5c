import { describe, expect, it } from 'vitest';
import { isDynotallyError } from '../errors/index.ts';
import { parseInputNumber, significantDigits } from './dynamo-number.ts';
import { Dec } from './num.ts';

const code = (s: string): string | undefined => {
  try {
    parseInputNumber(s);
    return undefined;
  } catch (e) {
    return isDynotallyError(e) ? e.code : 'THROWN';
  }
};

describe('significantDigits', () => {
  it.each([
    ['1e38', 1],
    [`1${'0'.repeat(38)}`, 1],
    ['120.50', 4],
    ['0.00120', 2],
    ['0', 1],
    [`${'1'.repeat(38)}`, 38],
  ])('%s has %i', (s, n) => {
    expect(significantDigits(new Dec(s))).toBe(n);
  });
});

describe('parseInputNumber', () => {
  it.each([
    '42',
    '-0.5',
    '+7',
    '.5',
    '5.',
    '1e38',
    '1E+38',
    `1${'0'.repeat(38)}`,
    '1e-130',
    '9.9999999999999999999999999999999999999e125',
    `${'9'.repeat(38)}`,
    `0.${'1'.repeat(38)}`,
    '0',
    '-0',
  ])('accepts %s as DynamoDB does', (s) => {
    expect(code(s)).toBeUndefined();
  });

  it.each([
    'NaN',
    'Infinity',
    '-Infinity',
    '0x10',
    '0b1',
    ' 5',
    '5 ',
    '',
    '1e',
    '--1',
    '1,5',
    '1e-131',
    '1e126',
    '-1e126',
    `${'1'.repeat(39)}`,
    `0.${'1'.repeat(39)}`,
    `1${'0'.repeat(37)}1`,
  ])('rejects %j with VALUE_INVALID', (s) => {
    expect(code(s)).toBe('VALUE_INVALID');
  });

  it('keeps values exact', () => {
    expect(String(parseInputNumber('12345678901234567890123456789012345678'))).toBe(
      '12345678901234567890123456789012345678',
    );
    expect(parseInputNumber('42')).toBe(42);
  });
});
