// Review s40x (groupBy: { names, fn }, session 40): a group attribute named `__proto__`. Declared names may be any
// non-empty strings, and the fold and the query take `__proto__` as an own key (a computed key,
// `{ ['__proto__']: id }`, or JSON), as top() does (Object.fromEntries). verify's drift groups were built by
// assignment (`out[name] = value`, verify/compare-rows.ts groupOf), and assigning a string to `__proto__` sets no
// property: the drifted group came out `{}`, and `dynotally verify` printed it as an empty `--group`.
// Observed: compareRows' drift group is {} for a group named __proto__ (declared names, or groupBy: '__proto__').
// Expected: { __proto__: 'st-0' } as an own property, as top() names it.
// Fixed: verify/compare-rows.ts groupOf builds the group with Object.fromEntries (own properties, any name).
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { foldBatch } from '../../packages/dynotally/src/fold/fold-batch.ts';
import { groupKey } from '../../packages/dynotally/src/query/validate.ts';
import { compareRows } from '../../packages/dynotally/src/verify/compare-rows.ts';
import { type ExpectedRow, rowKey } from '../../packages/dynotally/src/verify/expected-rows.ts';
import type { StoredRow } from '../../packages/dynotally/src/verify/stored-rows.ts';
import { foldedRows, insertOf } from '../support/group-fold.ts';

const NOW = Date.UTC(2026, 10, 1);
const byProto = defineRollup({
  name: 'sessions',
  groupBy: { names: ['__proto__'], fn: (item) => ({ ['__proto__']: String(item.who) }) },
  granularities: ['all'],
  measures: { n: count() },
});

describe('a group attribute named __proto__ (s40x)', () => {
  it('is folded and queried under its own key', () => {
    const folded = foldBatch([byProto.compiled], [insertOf(1, { who: { S: 'st-0' } })]);
    expect(folded.poison).toEqual([]);
    const group = JSON.parse('{"__proto__":"st-0"}');
    expect(foldedRows(folded).map((r) => r.pk)).toEqual([groupKey(byProto.compiled, group).pk]);
  });

  it("names verify's drift group by it, as an own property", () => {
    const version = byProto.compiled;
    const pk = groupKey(version, JSON.parse('{"__proto__":"st-0"}')).pk;
    const expected: ExpectedRow = {
      pk,
      sk: 'ALL',
      kind: version.rows[0] as ExpectedRow['kind'],
      bucketEnd: Number.POSITIVE_INFINITY,
      sums: new Map<string, never>([['n', 4 as never]]),
      extrema: new Map(),
    };
    const stored: StoredRow = { pk: { S: pk }, sk: { S: 'ALL' }, n: { N: '3' } };
    const out = compareRows(
      version,
      new Map([[rowKey(pk, 'ALL'), expected]]),
      new Map([[rowKey(pk, 'ALL'), stored]]),
      NOW,
    );
    const group = out.drift[0]?.group as Record<string, unknown>;
    expect(Object.keys(group)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(group, '__proto__')?.value).toBe('st-0');
  });
});
