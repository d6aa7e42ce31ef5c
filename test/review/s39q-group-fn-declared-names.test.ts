// Review s39q, the fix: a groupBy function declares its group's names (`groupBy: { names: ['storeId'], fn }`), and
// every group it returns is checked against them. The s39q scenarios (test/review/s39q-group-fn-names.test.ts, on the
// plain form, which cannot know the names) on the declared form: the fold refuses a record whose group has other
// names (VALUE_INVALID naming the rollup, the names returned and the names declared; nothing counted), so
// { storeId: 's-1' } and { userId: 's-1' } never share a row, and a query refuses a group with other names
// (GROUP_INVALID naming the declared ones). Keys are the plain function's (values in sorted-name order).
// Dead-lettering through the Applier on DynamoDB Local: s39q-group-fn-declared-names.int.test.ts.
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { foldBatch } from '../../packages/dynotally/src/fold/fold-batch.ts';
import { groupKey } from '../../packages/dynotally/src/query/validate.ts';
import { errorOf } from '../support/error-of.ts';
import { foldedRows, insertOf } from '../support/group-fold.ts';

const common = { granularities: ['all'], measures: { n: count() } } as const;
// a union of shapes, as a function built from data or in JavaScript returns: TypeScript cannot see it
const byShape = defineRollup({
  name: 'byShape',
  groupBy: {
    names: ['storeId'],
    fn: (item) =>
      (item.type === 'order' ? { storeId: String(item.who) } : { userId: String(item.who) }) as {
        storeId: string;
      },
  },
  ...common,
});
const order = insertOf(1, { type: { S: 'order' }, who: { S: 's-1' } });
const view = insertOf(2, { type: { S: 'view' }, who: { S: 's-1' } });

describe('a groupBy function with declared names whose groups have other names (s39q, fixed)', () => {
  it('refuses { userId: s-1 } instead of folding it into the row of { storeId: s-1 }', () => {
    const folded = foldBatch([byShape.compiled], [order, view]);
    expect(folded.poison.map((p) => [p.record.eventID, p.error.code])).toEqual([['e2', 'VALUE_INVALID']]);
    expect(folded.poison[0]?.error.message).toBe(
      "rollup 'byShape': its groupBy function returned a group named 'userId', not the declared names 'storeId': return exactly the declared names (or undefined, to skip the item), or declare the names it returns in a new version",
    );
    expect(folded.poison[0]?.error.details).toEqual({
      rollup: 'byShape',
      returned: ['userId'],
      declared: ['storeId'],
    });
    // nothing of the refused record is counted: the rows are the order's alone
    expect(foldedRows(folded)).toEqual(foldedRows(foldBatch([byShape.compiled], [order])));
  });

  it.each<[string, (item: Record<string, unknown>) => unknown, string[]]>([
    ['missing one', (item) => ({ storeId: String(item.who) }), ['storeId']],
    [
      'an extra one',
      (item) => ({ storeId: String(item.who), region: 'eu', userId: 'u' }),
      ['region', 'storeId', 'userId'],
    ],
    ['another one', () => ({ region: 'eu', shopId: 's' }), ['region', 'shopId']],
    [
      'an extra one left undefined',
      (item) => ({ storeId: String(item.who), region: 'eu', userId: undefined }),
      ['region', 'storeId', 'userId'],
    ],
  ])('refuses a group %s, naming the names returned and declared', (_label, fn, returned) => {
    const r = defineRollup({
      name: 'twoNames',
      groupBy: { names: ['storeId', 'region'], fn: fn as () => { storeId: string; region: string } },
      ...common,
    });
    const folded = foldBatch([r.compiled], [order]);
    expect(folded.poison.map((p) => p.error.code)).toEqual(['VALUE_INVALID']);
    expect(folded.poison[0]?.error.details).toEqual({
      rollup: 'twoNames',
      returned,
      declared: ['region', 'storeId'],
    });
    expect(folded.poison[0]?.error.message).toContain(
      `returned a group named ${returned.map((n) => `'${n}'`).join(', ')}, not the declared names 'region', 'storeId'`,
    );
    expect(foldedRows(folded)).toEqual([]);
  });

  it('still skips an item whose group is undefined (not a member, nothing refused)', () => {
    const r = defineRollup({
      name: 'orders',
      groupBy: {
        names: ['storeId'],
        fn: (item) => (item.type === 'order' ? { storeId: String(item.who) } : undefined),
      },
      ...common,
    });
    const folded = foldBatch([r.compiled], [order, view]);
    expect(folded.poison).toEqual([]);
    expect(foldedRows(folded)).toEqual(foldedRows(foldBatch([r.compiled], [order])));
  });

  it('keys groups as the plain function does (values in sorted-name order)', () => {
    const fn = (item: Record<string, unknown>) => ({ storeId: String(item.who), region: 'eu' });
    const plain = defineRollup({ name: 'keys', groupBy: fn, ...common });
    const declared = defineRollup({ name: 'keys', groupBy: { names: ['storeId', 'region'], fn }, ...common });
    expect(declared.compiled.groupNames).toEqual(['region', 'storeId']);
    expect(foldedRows(foldBatch([declared.compiled], [order, view]))).toEqual(
      foldedRows(foldBatch([plain.compiled], [order, view])),
    );
    const group = { storeId: 's-1', region: 'eu' };
    expect(groupKey(declared.compiled, group)).toEqual(groupKey(plain.compiled, group));
    expect(groupKey(declared.compiled, group).pk).toBe(
      foldedRows(foldBatch([declared.compiled], [order]))[0]?.pk,
    );
  });

  it('names { storeId } in a query and refuses { userId } with GROUP_INVALID naming the declared names', () => {
    expect(groupKey(byShape.compiled, { storeId: 's-1' }).pk).toBe(
      foldedRows(foldBatch([byShape.compiled], [order]))[0]?.pk,
    );
    const e = errorOf(() => groupKey(byShape.compiled, { userId: 's-1' }));
    expect(e.code).toBe('GROUP_INVALID');
    expect(e.message).toBe(
      "the group for rollup 'byShape' names 'userId', not its groupBy function's declared names 'storeId': give { storeId: 'x' }",
    );
    expect(e.details).toEqual({
      rollup: 'byShape',
      groupBy: ['storeId'],
      missing: ['storeId'],
      extra: ['userId'],
    });
    for (const g of [{ storeId: 's-1', userId: 's-1' }, {}])
      expect(errorOf(() => groupKey(byShape.compiled, g)).code).toBe('GROUP_INVALID');
  });
});
