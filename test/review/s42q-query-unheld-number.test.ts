// Review s42q (left by s41q/s41v): a query's plain-number group value that DynamoDB would not store, such as
// `1e-200` or a 39-digit bigint, was accepted for a rollup grouped by an attribute and read 0 (no item attribute
// holds such a number, so its group is never written), while the same value as `{ N: '1e-200' }` was refused
// (GROUP_INVALID, as the fold dead-letters such an N).
// Fixed: query/validate.ts `unheldNumber` refuses the plain number or bigint the same way, GROUP_INVALID, for a
// rollup grouped by attributes. A groupBy function's number is keyed by its exact value (the fold writes a group
// for 1e-200: fold/unstorable-group-number.test.ts), so for a function rollup it is still a group, read by the
// same key the fold writes. Break-check: with `unheldNumber` returning undefined, the four GROUP_INVALID cases failed (the plain
// forms were accepted) and so did bad-input.test.ts; with it refusing function rollups too, the fold-key case failed.
// Pure: nothing is sent (the client points at a closed port; explain() plans without I/O).
import { describe, expect, it } from 'vitest';
import { count, defineRollup, type GroupValue } from '../../packages/dynotally/src/definition/index.ts';
import { foldBatch } from '../../packages/dynotally/src/fold/fold-batch.ts';
import { errorOf } from '../support/error-of.ts';
import { foldedRows, insertOf } from '../support/group-fold.ts';
import { planningClient } from '../support/planning-client.ts';

const byAttr = defineRollup({
  name: 'byAttr',
  groupBy: 'g',
  granularities: ['all'],
  measures: { n: count() },
});
const values = new Map<string, GroupValue>();
const byFn = defineRollup({
  name: 'byFn',
  groupBy: (item) => ({ g: values.get(item.k as string) as GroupValue }),
  granularities: ['all'],
  measures: { n: count() },
});
const query = planningClient([byAttr, byFn], Date.UTC(2026, 10, 22, 13, 5));
const all = 'all' as never;

describe('a plain number no item attribute holds', () => {
  it.each<[string, GroupValue, string]>([
    ['1e-200', 1e-200, '1e-200'],
    ['5e-324', 5e-324, '5e-324'],
    ['a 39-digit bigint', 2n ** 128n - 1n, (2n ** 128n - 1n).toString()],
    ['a bigint of 1e126', 10n ** 126n, `1${'0'.repeat(126)}`],
  ])('%s is GROUP_INVALID for a rollup grouped by an attribute, as its { N } form is', (_l, v, n) => {
    const plain = errorOf(() => query.explain.total(byAttr, { g: v }, all));
    const text = errorOf(() => query.explain.total(byAttr, { g: { N: n } }, all));
    expect(text.code).toBe('GROUP_INVALID');
    expect(plain.code).toBe('GROUP_INVALID');
    expect(plain.message).toMatch(/not a number DynamoDB stores/);
    expect(plain.details).toMatchObject({ rollup: 'byAttr', attribute: 'g' });
  });

  it('a number an item holds is still a group: 1e-130, 1e125, 38 digits, a fraction', () => {
    for (const v of [1e-130, 10n ** 125n, 10n ** 38n - 1n, 0.1 + 0.2, -0])
      expect(query.explain.total(byAttr, { g: v }, all).requests.length).toBe(1);
  });

  it("a groupBy function's 1e-200 is a group the fold writes, and the query reads that key", () => {
    values.set('tiny', 1e-200);
    const folded = foldBatch([byFn.compiled], [insertOf(1, { k: { S: 'tiny' } })]);
    expect(folded.poison).toEqual([]);
    const pks = foldedRows(folded).map((r) => r.pk);
    const planned = JSON.stringify(query.explain.total(byFn, { g: 1e-200 }, all).requests);
    expect(pks.length).toBe(1);
    expect(planned).toContain(pks[0]);
  });
});
