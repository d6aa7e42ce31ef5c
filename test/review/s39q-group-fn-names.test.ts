// Review s39q (group keys of a groupBy function): the partition key holds a group's values only, in the order of its
// attribute names sorted (fold/resolve-side.ts groupFnKey; query/validate.ts groupKey), never the names. A groupBy
// function that returns different attribute names for different items (a union of shapes, e.g.
// `item.type === 'order' ? { storeId } : { userId }`) puts { storeId: 's-1' } and { userId: 's-1' } in one row, and
// { a: 'x', b: 'y' } with { b: 'x', c: 'y' }: both are counted together, and total(r, { userId: 's-1' }) answers the
// store's orders as well, silently. docs/rollups.md says a function "returns the group (its keys in any order)" and
// that values "never collide", which holds only while every item's group has the same names.
// Observed: the two groups fold into the same row (same pk), and the query names the same key for both.
// Expected: different groups get different keys (or the definition says the names are fixed and the fold refuses an
// item whose group names differ).
// Fixed (session 40) by the declared form, not for this plain form: keys still carry no names (making them injective
// would change the key of every row a groupBy function wrote), and a plain function cannot tell its names, so these
// cases stay it.fails. A function declares its group's names beside it, `groupBy: { names: ['storeId'], fn }`
// (definition/define-rollup.ts declaredGroupFunction, CompiledRollup.groupNames): the fold refuses a group with other
// names (fold/group-fn-value.ts checkGroupFnNames: VALUE_INVALID, dead-lettered, nothing counted) and a query a group
// with other names (query/validate.ts groupKey: GROUP_INVALID). The same two scenarios on the declared form pass in
// test/review/s39q-group-fn-declared-names.test.ts (and .int.test.ts, through the Applier on DynamoDB Local).
// docs/rollups.md shows the declared form first and says a plain function must return the same names for every item.
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { foldBatch } from '../../packages/dynotally/src/fold/fold-batch.ts';
import { groupKey } from '../../packages/dynotally/src/query/validate.ts';
import { foldedRows, insertOf } from '../support/group-fold.ts';

const byShape = defineRollup({
  name: 'byShape',
  // typed as a record (a literal union of shapes is refused by TypeScript only by accident: its optional keys
  // read as undefined), as a function built from data or in JavaScript is
  groupBy: (item): Record<string, string> =>
    item.type === 'order' ? { storeId: String(item.who) } : { userId: String(item.who) },
  granularities: ['all'],
  measures: { n: count() },
});

describe('a groupBy function whose groups have different attribute names', () => {
  it.fails('folds { storeId: s-1 } and { userId: s-1 } into different rows', () => {
    const folded = foldBatch(
      [byShape.compiled],
      [
        insertOf(1, { type: { S: 'order' }, who: { S: 's-1' } }),
        insertOf(2, { type: { S: 'view' }, who: { S: 's-1' } }),
      ],
    );
    const pks = new Set(foldedRows(folded).map((r) => r.pk));
    expect(pks.size).toBe(2);
  });

  it.fails('names them by different keys in a query', () => {
    expect(groupKey(byShape.compiled, { storeId: 's-1' }).pk).not.toBe(
      groupKey(byShape.compiled, { userId: 's-1' }).pk,
    );
  });
});
