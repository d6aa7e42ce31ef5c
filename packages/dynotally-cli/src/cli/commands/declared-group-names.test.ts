// A rollup grouped by a function with declared names (`groupBy: { names, fn }`, review s39q): the CLI checks a
// `--group` against the declared names before any read, as it does a rollup's groupBy attributes, and a query
// without `--group` is told the names to give. A plain function's names are unknown, so any group passes to the
// query and the hint suggests declaring them.
import { count, defineRollup } from 'dynotally';
import { describe, expect, it } from 'vitest';
import { checkGroupGiven } from './missing-group.ts';
import { checkQueryTarget } from './query-kit.ts';

const common = { granularities: ['all'], measures: { n: count() } } as const;
const declared = defineRollup({
  name: 'byStore',
  groupBy: { names: ['storeId', 'region'], fn: (item) => ({ storeId: String(item.who), region: 'eu' }) },
  ...common,
});
const plain = defineRollup({ name: 'plain', groupBy: (item) => ({ storeId: String(item.who) }), ...common });
const settings = {
  rollups: [declared, plain],
  alsoWrite: [],
  configPath: 'dynotally.config.ts',
} as unknown as Parameters<typeof checkQueryTarget>[0];

const errorOf = (f: () => void): { code?: string; message?: string } | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    return e as { code?: string; message?: string };
  }
};

describe('the CLI with a groupBy function with declared names', () => {
  it('passes a --group with exactly the declared names, and refuses another with GROUP_INVALID naming them', () => {
    expect(
      errorOf(() => checkQueryTarget(settings, 'byStore', { region: 'eu', storeId: 's-1' })),
    ).toBeUndefined();
    const groups: Record<string, string>[] = [
      { userId: 's-1' },
      { storeId: 's-1' },
      { storeId: 's-1', region: 'eu', userId: 'u' },
    ];
    for (const group of groups) {
      const e = errorOf(() => checkQueryTarget(settings, 'byStore', group));
      expect(e?.code).toBe('GROUP_INVALID');
      expect(e?.message).toContain("rollup 'byStore' groups by region, storeId");
      expect(e?.message).toContain('give --group region=<value> --group storeId=<value>');
    }
  });

  it('names the declared names when --group is missing; a plain function is told to declare them', () => {
    expect(errorOf(() => checkGroupGiven('query total', declared, {}))?.message).toBe(
      "query total: --group: rollup 'byStore' groups by region, storeId: give the group, e.g. --group region=<value> --group storeId=<value>",
    );
    expect(errorOf(() => checkGroupGiven('query total', plain, undefined))?.message).toContain(
      "rollup 'plain' groups by a function without declared names: give the group, e.g. --group <attribute>=<value> (declare the names, groupBy: { names, fn }",
    );
    expect(errorOf(() => checkQueryTarget(settings, 'plain', { userId: 's-1' }))).toBeUndefined();
  });
});
