// Review s40x (groupBy: { names, fn }, session 40): `--group` keys that name a member of Object.prototype. A group's
// names are any non-empty strings (a declared groupBy function's names, or attributes), but the CLI read its
// `--group` pairs into plain objects: parseGroup looked a key up in `given[key] ?? []`, which for `constructor`,
// `toString` or `__proto__` is the inherited member, not undefined; verify's groupsOf and the query's name check
// asked `key in group`, true for an inherited member; and `group.__proto__ = 'x'` sets no property.
// Observed: `--group constructor=x` (or toString, hasOwnProperty, __proto__) failed every query and verify command
// with a TypeError ("(given[key] ?? []) is not iterable"); verify's `--group storeId=b,constructor=a` would start a
// second group at `constructor`; and a `--group storeId=1` for a rollup whose names are constructor and storeId
// passed the CLI's check (`'constructor' in group`), left to the library's GROUP_INVALID.
// Expected: the pairs are own keys of the group, whatever their name; the CLI's check names the missing one.
// Fixed: packages/dynotally-cli/src/cli/commands/query-args.ts parseGroup keeps the keys seen in a Map and sets
// pairs with ownPair (own properties, `__proto__` included); verify.ts groupsOf and query-kit.ts checkGroupOf ask
// Object.hasOwn.
import { count, defineRollup } from 'dynotally';
import { describe, expect, it } from 'vitest';
import { parseGroup } from '../../packages/dynotally-cli/src/cli/commands/query-args.ts';
import { checkQueryTarget } from '../../packages/dynotally-cli/src/cli/commands/query-kit.ts';
import { groupsOf } from '../../packages/dynotally-cli/src/cli/commands/verify.ts';

const own = (g: object) => Object.entries(Object.getOwnPropertyDescriptors(g)).map(([k, d]) => [k, d.value]);

describe('--group keys named like members of Object.prototype (s40x)', () => {
  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__'])(
    'parseGroup takes %s=x as an own key',
    (key) => {
      expect(own(parseGroup([`${key}=x`, 'storeId:n=1']))).toEqual([
        [key, 'x'],
        ['storeId', 1],
      ]);
      expect(() => parseGroup([`${key}=x`, `${key}=y`])).toThrow(/is given twice/);
    },
  );

  it("verify's groupsOf starts a new group at a repeated key only", () => {
    expect(groupsOf(['storeId=b,constructor=a']).map(own)).toEqual([
      [
        ['storeId', 'b'],
        ['constructor', 'a'],
      ],
    ]);
    expect(groupsOf(['__proto__=x', '__proto__=y']).map(own)).toEqual([
      [['__proto__', 'x']],
      [['__proto__', 'y']],
    ]);
  });

  it('the query check names a declared name that is missing, even one Object.prototype has', () => {
    const r = defineRollup({
      name: 'r',
      groupBy: { names: ['constructor', 'storeId'], fn: () => ({ constructor: 'c', storeId: 's' }) },
      granularities: ['all'],
      measures: { n: count() },
    });
    const settings = {
      rollups: [r],
      alsoWrite: [],
      configPath: 'dynotally.config.ts',
    } as unknown as Parameters<typeof checkQueryTarget>[0];
    let error: { code?: string; details?: unknown } | undefined;
    try {
      checkQueryTarget(settings, 'r', { storeId: 's' });
    } catch (e) {
      error = e as typeof error;
    }
    expect(error?.code).toBe('GROUP_INVALID');
    expect(error?.details).toMatchObject({ missing: ['constructor'], extra: [] });
  });
});
