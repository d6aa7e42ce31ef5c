// s31 review: `dynotally query top` prints each group "as the --group pairs that name it again"
// (query-top.ts topGroupText), but a multi-attribute group was joined with spaces. Given back as one --group value (as
// `verify`'s drift table, joined with commas, is), the whole cell is read as ONE string pair: a group that does not
// exist, whose total is silently 0. And since string values may hold spaces, two different groups can print the same
// cell. Fixed: the GROUP column joins pairs with ',' (groupPairs' default), as verify does; both tests failed before.
import { describe, expect, it } from 'vitest';
import { parseGroup } from '../../packages/dynotally-cli/src/cli/commands/query-args.ts';
import { topGroupText } from '../../packages/dynotally-cli/src/cli/commands/query-top.ts';

describe('query top GROUP cell given back to --group', () => {
  it('names the same multi-attribute group', () => {
    const group = { storeId: 's-1', year: 2026 };
    const cell = topGroupText({ group, groupValues: ['s-1', 2026] });
    expect(parseGroup([cell])).toEqual(group);
  });

  it('prints two different groups differently', () => {
    const a = { name: 'x city=y', city: 'z' };
    const b = { name: 'x', city: 'y city=z' };
    expect(topGroupText({ group: a, groupValues: Object.values(a) })).not.toBe(
      topGroupText({ group: b, groupValues: Object.values(b) }),
    );
  });
});
