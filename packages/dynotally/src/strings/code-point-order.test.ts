import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { compareCodePoints } from './code-point-order.ts';

/** The reference: the strings' UTF-8 bytes compared one by one (DynamoDB's order). */
function byUtf8(a: string, b: string): number {
  return Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
}

describe('compareCodePoints', () => {
  it('puts a character above U+FFFF after one from U+E000 to U+FFFF, as UTF-8 does', () => {
    expect(compareCodePoints('\u{1F600}', '\uFF21')).toBe(1);
    expect(compareCodePoints('\uFF21', '\u{1F600}')).toBe(-1);
    expect(compareCodePoints('\uE000', '\u{10000}')).toBe(-1);
    expect(compareCodePoints('\uD7FF', '\u{10000}')).toBe(-1);
  });

  it('orders prefixes and equal strings', () => {
    expect(compareCodePoints('', '')).toBe(0);
    expect(compareCodePoints('ab', 'ab')).toBe(0);
    expect(compareCodePoints('ab', 'abc')).toBe(-1);
    expect(compareCodePoints('abc', 'ab')).toBe(1);
  });

  test.prop([fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' })], { numRuns: 2000 })(
    'agrees with the UTF-8 bytes of any two well-formed strings',
    (a, b) => {
      expect(Math.sign(compareCodePoints(a, b))).toBe(byUtf8(a, b));
    },
  );

  test.prop(
    [
      fc.array(fc.constantFrom('a', '\uD7FF', '\uE000', '\uFF21', '\uFFFF', '\u{10000}', '\u{1F600}'), {
        maxLength: 4,
      }),
      fc.array(fc.constantFrom('a', '\uD7FF', '\uE000', '\uFF21', '\uFFFF', '\u{10000}', '\u{1F600}'), {
        maxLength: 4,
      }),
    ],
    { numRuns: 2000 },
  )('agrees with UTF-8 on strings made of the characters where UTF-16 order differs', (x, y) => {
    const a = x.join('');
    const b = y.join('');
    expect(Math.sign(compareCodePoints(a, b))).toBe(byUtf8(a, b));
  });
});
