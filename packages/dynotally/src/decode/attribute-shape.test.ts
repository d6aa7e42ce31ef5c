import { describe, expect, it } from 'vitest';
import { isDynotallyError } from '../errors/index.ts';
import { attributeType, checkImage } from './attribute-shape.ts';
import { readNumber, readScalar } from './read-attr.ts';

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    return isDynotallyError(e) ? e.code : 'THROWN';
  }
};

describe('attributeType', () => {
  it.each([
    [{ S: '' }, 'S'],
    [{ N: '-1.5e3' }, 'N'],
    [{ BOOL: false }, 'BOOL'],
    [{ NULL: true }, 'NULL'],
    [{ B: 'AAE=' }, 'B'],
    [{ B: new Uint8Array([1]) }, 'B'],
    [{ M: { a: { S: 'x' }, b: { L: [{ N: '1' }] } } }, 'M'],
    [{ L: [] }, 'L'],
    [{ SS: ['a', 'b'] }, 'SS'],
    [{ NS: ['1', '2.5'] }, 'NS'],
    [{ BS: ['AA=='] }, 'BS'],
  ])('%j is %s', (v, type) => {
    expect(attributeType(v, 'a')).toBe(type);
  });

  it.each([
    [{ S: 5 }],
    [{ N: 5 }],
    [{ N: 'five' }],
    [{ N: '' }],
    [{ BOOL: 'true' }],
    [{ NULL: false }],
    [{ S: 'a', N: '1' }],
    [{}],
    [{ X: 'y' }],
    [null],
    ['a'],
    [[{ S: 'a' }]],
    [{ M: [] }],
    [{ L: {} }],
    [{ M: { a: { S: 1 } } }],
    [{ SS: [] }],
    [{ SS: ['a', 'a'] }],
    [{ NS: ['1', '1.0'] }],
    [{ NS: [1] }],
    [{ B: 5 }],
  ])('rejects %j with VALUE_INVALID', (v) => {
    expect(codeOf(() => attributeType(v, 'a'))).toBe('VALUE_INVALID');
  });

  it('rejects maps nested deeper than DynamoDB allows (32 levels)', () => {
    let ok: unknown = { S: 'x' };
    for (let i = 0; i < 32; i++) ok = { M: { a: ok } };
    expect(attributeType(ok, 'a')).toBe('M');
    expect(codeOf(() => attributeType({ L: [ok] }, 'a'))).toBe('VALUE_INVALID');
  });
});

describe('reads never take one type for another', () => {
  it('{S: 5} is not the number 5 and {N: 5} is not summed', () => {
    expect(codeOf(() => readScalar({ g: { S: 5 } as never }, 'g'))).toBe('VALUE_INVALID');
    expect(codeOf(() => readNumber({ n: { N: 5 } as never }, 'n'))).toBe('VALUE_INVALID');
    expect(readScalar({ g: { N: '5' } }, 'g')).toBe(5);
  });

  it('checkImage checks the named attributes, or all of them', () => {
    const img = { a: { S: 'x' }, b: { N: 5 } as never };
    expect(codeOf(() => checkImage(img, ['a']))).toBeUndefined();
    expect(codeOf(() => checkImage(img, ['a', 'b']))).toBe('VALUE_INVALID');
    expect(codeOf(() => checkImage(img, undefined))).toBe('VALUE_INVALID');
  });
});
