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
});
