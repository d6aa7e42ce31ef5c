// Every operation on numbers that may be held as Fixed (a safe integer of units and a scale) equals the same
// operation in arbitrary precision (decimal.js), over decimal texts chosen to sit at the edges: 15 and 16
// significant digits, 15 and 16 after the point, leading and trailing zeros, sums past 2^53 units.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fixed, parseFixed } from './fixed.ts';
import { addNum, compareNum, Dec, isZeroNum, type Num, negNum, parseNum, toDynamoN } from './num.ts';

const digitsArb = (min: number, max: number) =>
  fc.array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max }).map((d) => d.join(''));

/** Decimal texts as a source item may hold them: plain, with zeros both sides, huge, tiny, integers. */
const textArb: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.boolean(), digitsArb(1, 9), digitsArb(1, 9)).map(([neg, a, b]) => `${neg ? '-' : ''}${a}.${b}`),
  fc
    .tuple(fc.boolean(), digitsArb(1, 17), digitsArb(0, 17))
    .map(([neg, a, b]) => `${neg ? '-' : ''}${a}${b === '' ? '' : `.${b}`}`),
  fc.constantFrom(
    '0.5',
    '-0.0',
    '12.50',
    '0.000000000000001',
    '0.0000000000000001',
    '999999999999999.9',
    '99999999999999.9',
    '9007199254740.991',
    '1e-3',
    '2.5E2',
  ),
);

const plain = (n: Num) => toDynamoN(n);
const dec = (s: string) => new Dec(s);

describe('Fixed: exact against arbitrary precision', () => {
  it('parses every text to the value decimal.js reads, as a number exactly when an integer', () => {
    fc.assert(
      fc.property(textArb, (s) => {
        const n = parseNum(s);
        const d = dec(s);
        expect(plain(n)).toBe(d.isZero() ? '0' : d.toFixed());
        if (typeof n === 'number') expect(Number.isSafeInteger(n)).toBe(true);
        if (n instanceof Fixed) {
          expect(d.isInteger()).toBe(false);
          expect(Number.isSafeInteger(n.units)).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('adds, negates, compares and tests for zero as decimal.js does, for any mix of kinds', () => {
    fc.assert(
      fc.property(textArb, textArb, (x, y) => {
        const a = parseNum(x);
        const b = parseNum(y);
        const sum = dec(x).plus(dec(y));
        expect(plain(addNum(a, b))).toBe(sum.isZero() ? '0' : sum.toFixed());
        expect(plain(addNum(a, negNum(a)))).toBe('0');
        // `+ 0`: compareNum may say zero as -0 (-0 - 0 for '-0' against '-0.0'), which is zero all the same
        expect(Math.sign(compareNum(a, b)) + 0).toBe(dec(x).cmp(dec(y)));
        expect(isZeroNum(addNum(a, negNum(b)))).toBe(dec(x).eq(dec(y)));
        const neg = dec(x).neg();
        expect(plain(negNum(a))).toBe(neg.isZero() ? '0' : neg.toFixed());
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps the Fixed form through long runs of additions, and leaves it exactly at 2^53 units', () => {
    fc.assert(
      fc.property(fc.array(textArb, { minLength: 1, maxLength: 40 }), (texts) => {
        let n: Num = 0;
        let d = dec('0');
        for (const t of texts) {
          n = addNum(n, parseNum(t));
          d = d.plus(dec(t));
        }
        expect(plain(n)).toBe(d.isZero() ? '0' : d.toFixed());
      }),
      { numRuns: 1000 },
    );
    // 15 digits at one decimal place are 999999999999999 tenths; aligned to tenths, 999999999999999 is past 2^53
    const edge = parseNum('99999999999999.9');
    expect(edge).toBeInstanceOf(Fixed);
    expect(addNum(edge, edge)).toBeInstanceOf(Fixed);
    const past = addNum(999_999_999_999_999, parseNum('0.1'));
    expect(past).toBeInstanceOf(Dec);
    expect(plain(past)).toBe('999999999999999.1');
  });

  it('reads only plain decimals of at most 15 significant digits and 15 after the point', () => {
    expect(parseFixed('12.34')).toEqual(new Fixed(1234, 2));
    expect(parseFixed('007.50')).toEqual(new Fixed(750, 2));
    expect(parseFixed('5.00')).toBe(5);
    expect(parseFixed('-0.0')).toBe(0);
    for (const s of [
      '12',
      '1e3',
      '.5',
      '5.',
      '1.2.3',
      '-',
      '',
      '+1.5',
      '1234567890123456.1',
      '0.1234567890123456',
    ])
      expect(parseFixed(s)).toBeUndefined();
    expect(new Fixed(-5, 3).toFixed()).toBe('-0.005');
    expect(JSON.stringify({ v: new Fixed(1250, 2) })).toBe('{"v":"12.5"}');
    expect(`${new Fixed(1250, 2)}`).toBe('12.5');
    expect(Number(new Fixed(-1250, 3))).toBe(-1.25);
  });
});
