// A cell's sum in CellSums (scaled integers in typed arrays, the Num path on decimals and overflow) is the very
// Num addDelta's chain of addNum gives on the same values: same value and same representation (a number, a
// Fixed of the same units and scale, or an equal decimal), over values at the edges (integers near 2^53,
// decimals of every scale whose sums cross 2^53 units or come out whole, decimals past 15 digits).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addNum, type Num, negNum, parseNum } from '../numbers/index.ts';
import { CellSums } from './cell-sums.ts';

const digitsArb = (min: number, max: number) =>
  fc.array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max }).map((d) => d.join(''));

const textArb: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: -50, max: 500 }).map(String),
  fc.tuple(fc.boolean(), digitsArb(1, 6), digitsArb(1, 4)).map(([neg, a, b]) => `${neg ? '-' : ''}${a}.${b}`),
  fc
    .tuple(fc.boolean(), digitsArb(1, 17), digitsArb(0, 17))
    .map(([neg, a, b]) => `${neg ? '-' : ''}${a}${b === '' ? '' : `.${b}`}`),
  fc.constantFrom(
    '9007199254740991',
    '-9007199254740991',
    '4503599627370496',
    '999999999999999',
    '99999999999999.9',
    '9007199254740.991',
    '0.5',
    '0.50',
    '0.25',
    '0.75',
    '12345678901234567890.123456789',
  ),
);

const stepsArb = fc.array(fc.tuple(textArb, fc.constantFrom<1 | -1>(1, -1)), { minLength: 1, maxLength: 12 });

describe('CellSums', () => {
  it('sums exactly as addDelta does, value and representation', () => {
    fc.assert(
      fc.property(stepsArb, (steps) => {
        const sums = new CellSums();
        const k = sums.cells(1);
        let expected: Num | undefined;
        for (const [text, sign] of steps) {
          const v = parseNum(text);
          const delta = sign === 1 ? v : negNum(v);
          if (expected === undefined) {
            sums.first(k, 'n', v, sign);
            expected = delta;
          } else {
            sums.add(k, v, sign);
            // addDelta's step
            const sum =
              typeof expected === 'number' && typeof delta === 'number' ? expected + delta : Number.NaN;
            expected = Number.isSafeInteger(sum) ? sum : addNum(expected, delta);
          }
          const got = sums.value(k);
          expect(typeof got).toBe(typeof expected);
          expect(got).toEqual(expected);
          expect(String(got)).toBe(String(expected));
        }
      }),
      { numRuns: 3000 },
    );
  });
});
