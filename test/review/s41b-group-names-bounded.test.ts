// Review s41b: the VALUE_INVALID of a groupBy function with declared names (`groupBy: { names, fn }`) whose group has
// other names listed every name the function returned, in its message and its details, however many and however
// long: a function that spread an item into its group (`{ ...item }`) made a message as long as the item's names,
// and that message is stored with the record's dead letter (an item is up to 400 KB).
// Observed (main): 2,000 names of 100 characters returned: a message of over 200,000 characters, details.returned
// the 2,000 names.
// Expected: the first few names (each cut to 100 characters) and how many there are in all; details likewise
// bounded, with the count.
// Fixed: checkGroupFnNames (fold/group-fn-value.ts) lists at most 8 names, each at most 100 characters, then
// "… and N more (M in all)"; details.returned the same 8 and `returnedCount`.
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { foldBatch } from '../../packages/dynotally/src/fold/fold-batch.ts';
import { insertOf } from '../support/group-fold.ts';

const long = (i: number) => `attribute-${String(i).padStart(4, '0')}-${'x'.repeat(200)}`;
const spread = defineRollup({
  name: 'spread',
  groupBy: {
    names: ['storeId'],
    fn: () =>
      Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [long(i), 'v'])) as { storeId: string },
  },
  granularities: ['all'],
  measures: { n: count() },
});

describe('a declared-names refusal of a group with very many names', () => {
  it('lists a few names and the count, bounded', () => {
    const folded = foldBatch([spread.compiled], [insertOf(1, { k: { S: 'a' } })]);
    const e = folded.poison[0]?.error;
    expect(e?.code).toBe('VALUE_INVALID');
    expect(e?.message.length).toBeLessThan(2_000);
    expect(e?.message).toContain("'attribute-0000-xxx");
    expect(e?.message).toContain('and 1,992 more (2,000 in all)');
    expect(e?.message).toContain("not the declared names 'storeId'");
    expect(e?.details.returned).toHaveLength(8);
    expect(e?.details.returnedCount).toBe(2_000);
    expect(JSON.stringify(e?.details).length).toBeLessThan(2_000);
  });
});
