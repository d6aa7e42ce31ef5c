import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeGroupValue, encodeGroupValue, groupPartitionKey, parsePartitionKey } from './group-key.ts';

const value = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.constantFrom('#', '%', '%23', '', 's', 'n1'),
);

describe('group keys', () => {
  it('are injective over tuples of strings, numbers and booleans (delimiters, empty strings, unicode)', () => {
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 3 }),
        fc.array(value, { minLength: 1, maxLength: 3 }),
        (a, b) => {
          const same =
            JSON.stringify(a.map((v) => [typeof v, v])) === JSON.stringify(b.map((v) => [typeof v, v]));
          expect(groupPartitionKey('r', a) === groupPartitionKey('r', b)).toBe(same);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('round-trip', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 3 }), (vs) => {
        expect(parsePartitionKey(groupPartitionKey('rollup-1', vs))).toEqual({
          rollup: 'rollup-1',
          values: vs,
        });
      }),
    );
  });

  it('tell the number 1 from the string "1"', () => {
    expect(encodeGroupValue(1)).not.toBe(encodeGroupValue('1'));
    expect(decodeGroupValue(encodeGroupValue('a#b%'))).toBe('a#b%');
  });

  it('decode numbers exactly: bigint beyond 2^53, { N } text when a double cannot hold a decimal', () => {
    expect(decodeGroupValue(encodeGroupValue(1234567890123456789n))).toBe(1234567890123456789n);
    expect(encodeGroupValue(1234567890123456789n)).not.toBe(encodeGroupValue(1234567890123456788n));
    expect(decodeGroupValue('n9007199254740991')).toBe(9007199254740991);
    expect(decodeGroupValue('n-9007199254740993')).toBe(-9007199254740993n);
    expect(decodeGroupValue('n0.25')).toBe(0.25);
    // never the bare string, which names the string group
    expect(decodeGroupValue('n0.12345678901234567890123')).toEqual({ N: '0.12345678901234567890123' });
    // a decimal a double rounds to an integer is not that integer's group
    expect(decodeGroupValue('n-7.000000000000000000001')).toEqual({ N: '-7.000000000000000000001' });
    expect(encodeGroupValue(1e21)).toBe('n1000000000000000000000');
  });

  it('key a number given as its text ({ N }) as the fold keys the same N, whatever its spelling', () => {
    expect(encodeGroupValue({ N: '0.12345678901234567890123' })).toBe('n0.12345678901234567890123');
    expect(encodeGroupValue({ N: '1.50' })).toBe(encodeGroupValue(1.5));
    expect(encodeGroupValue({ N: '1e3' })).toBe(encodeGroupValue(1000));
    expect(encodeGroupValue({ N: '1234567890123456789' })).toBe(encodeGroupValue(1234567890123456789n));
    expect(encodeGroupValue({ N: '1' })).not.toBe(encodeGroupValue('1'));
    for (const text of ['0.12345678901234567890123', '-7.000000000000000000001', '1e-40'])
      expect(encodeGroupValue(decodeGroupValue(encodeGroupValue({ N: text })) as never)).toBe(
        encodeGroupValue({ N: text }),
      );
    expect(() => encodeGroupValue({ N: 'abc' })).toThrow(expect.objectContaining({ code: 'VALUE_INVALID' }));
  });
});
