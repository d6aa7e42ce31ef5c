// Review s41b: `plan --dry-run`'s note for a batch that made no write ("no record has every groupBy attribute of …")
// looked at rollups grouped by attributes only: a rollup grouped by a function (plain or with declared names) ended
// the check at once, so a configuration with one said nothing at all, also about a misspelt attribute of another
// rollup, and a function that returned no group for any record (a typo in the item's attribute it reads) was never
// named.
// Observed (main): noGroupNote([byFn (returns undefined for every record), byAttr ('storeID')], records) = ''.
// Expected: the note names both: the attribute rollup with its attributes, the function rollup as returning no group
// for any record; '' when any rollup counted a record.
// Fixed: noGroupNote runs a function rollup's groupBy on each record's image (packages/dynotally-cli/src/cli/
// commands/plan.ts).
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { noGroupNote } from '../../packages/dynotally-cli/src/cli/commands/plan.ts';

const common = { granularities: ['day'], measures: { n: count() } } as const;
const byAttr = defineRollup({ name: 'byAttr', groupBy: 'storeID', ...common });
const byFn = defineRollup({
  name: 'byFn',
  groupBy: (item) => (typeof item.shopId === 'string' ? { shopId: item.shopId } : undefined),
  ...common,
});
const declared = defineRollup({
  name: 'declared',
  groupBy: {
    names: ['shop'],
    fn: (item) => (typeof item.shop === 'string' ? { shop: item.shop } : undefined),
  },
  ...common,
});
const record = (id: string, storeId: string): DynamoDBRecord => ({
  eventName: 'INSERT',
  eventSourceARN: 'arn:s',
  dynamodb: {
    NewImage: { orderId: { S: id }, storeId: { S: storeId } },
    SequenceNumber: id,
    ApproximateCreationDateTime: 1796320620,
  },
});
const records = [record('1', 's-1'), record('2', 's-2')];

describe("plan --dry-run's no-group note with rollups grouped by a function", () => {
  it('names a function that returned no group, beside a misspelt attribute', () => {
    const note = noGroupNote([byFn, byAttr, declared], records);
    expect(note).toContain("rollup 'byAttr' (storeID)");
    expect(note).toContain("rollup 'byFn' (its groupBy function returned no group for any record)");
    expect(note).toContain("rollup 'declared' (its groupBy function returned no group for any record)");
    expect(note).toMatch(/^note: /);
  });

  it('says nothing when a function rollup counted a record', () => {
    const counting = defineRollup({
      name: 'counting',
      groupBy: (item) => ({ s: String(item.storeId) }),
      ...common,
    });
    expect(noGroupNote([byAttr, counting], records)).toBe('');
  });
});
