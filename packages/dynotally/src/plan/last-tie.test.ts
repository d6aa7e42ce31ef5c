// The two places that rank a tie of `last()` values agree: the fold's `compareScalar` (a tie inside one batch) and
// the conditional write's `lastTie` (a tie against the stored value). Both take the order of types from
// `fold/scalar-type-order.ts`; this checks the write's rule against the fold's for every pair of sample values.
// test/apply/last-ties-types.int.test.ts checks the same on DynamoDB Local, for both write APIs.
import { describe, expect, it } from 'vitest';
import { compareScalar } from '../fold/coalescer.ts';
import { scalarTypeTag } from '../fold/scalar-type-order.ts';
import { lastTie } from './last-tie.ts';

const SAMPLES: (number | string | boolean)[] = [false, true, -2, 0, 7.5, '', 'a', 'Ａ', '😀'];

/** Whether the conditional write lets `value` replace `stored` at the same event time (same type: by `<`). */
function writeWins(value: number | string | boolean, stored: number | string | boolean): boolean {
  const tie = lastTie(value);
  const storedTag = scalarTypeTag(stored);
  if (storedTag !== scalarTypeTag(value)) return tie.typesBelow.includes(storedTag);
  if (typeof value === 'boolean') return tie.beatsFalse && stored === false;
  expect(tie.comparable).toBe(true);
  return compareScalar(stored, value) < 0; // the store's `<` on one type (strings by UTF-8 bytes)
}

describe('a tie of last() values is ranked alike in a batch and in the store', () => {
  for (const value of SAMPLES) {
    for (const stored of SAMPLES) {
      it(`${JSON.stringify(value)} against a stored ${JSON.stringify(stored)}`, () => {
        expect(writeWins(value, stored)).toBe(compareScalar(value, stored) > 0);
      });
    }
  }
});
