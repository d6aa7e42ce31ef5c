import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dec, dynamoNumberProblem } from '../numbers/index.ts';
import { isWideNumber } from './stored-hints.ts';

describe('isWideNumber', () => {
  it('is true from 1e16 up and past 16 decimals, false for zero and ordinary amounts', () => {
    expect(isWideNumber('100000000000000000000')).toBe(true);
    expect(isWideNumber('10000000000000000')).toBe(true); // 1e16
    expect(isWideNumber('-10000000000000000')).toBe(true);
    expect(isWideNumber('9999999999999999')).toBe(false); // 16 digits
    expect(isWideNumber('0.0000000000000001')).toBe(false); // 16 decimals
    expect(isWideNumber('0.00000000000000001')).toBe(true); // 17
    expect(isWideNumber('1234.5678')).toBe(false);
    expect(isWideNumber('0')).toBe(false);
  });

  it('two values that are not wide always add up to a DynamoDB number (why narrow values need no hint)', () => {
    const narrow = fc
      .tuple(fc.boolean(), fc.stringMatching(/^[0-9]{1,16}$/), fc.stringMatching(/^[0-9]{0,16}$/))
      .map(([neg, i, f]) => `${neg ? '-' : ''}${i}${f === '' ? '' : `.${f}`}`)
      .filter((s) => !isWideNumber(s));
    fc.assert(
      fc.property(narrow, narrow, (a, b) => {
        expect(dynamoNumberProblem(new Dec(a).plus(b))).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });
});
