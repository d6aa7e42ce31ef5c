// Review s40x (groupBy: { names, fn }, session 40): `names` with a hole. declaredGroupFunction checked each name
// with `names.some(...)`, which skips an array's holes, and the distinct check counted `new Set(names)`, which
// reads a hole as undefined: `names: [, 'storeId']` (from JavaScript, or `new Array(2)` filled in part) passed as
// "a non-empty list of distinct non-empty strings", and the compiled names were ['storeId', undefined].
// Observed: defineRollup accepted it; every record was then dead-lettered (VALUE_INVALID: "returned a group named
// 'storeId', not the declared names 'storeId', 'undefined'"), every query refused (GROUP_INVALID), and the
// fingerprint counted the hole (as `null`).
// Expected: DEFINITION_INVALID at defineRollup, as docs/rollups.md says for `names` that is not a non-empty list
// of distinct non-empty strings (the attribute-list form, groupBy: [, 'storeId'], is refused so: it copies the
// list first).
// Fixed: definition/define-rollup.ts declaredGroupFunction copies `names` (Array.from, a hole read as undefined)
// before checking it, as the attribute-list form does.
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { errorOf } from '../support/error-of.ts';

const common = { name: 'r', granularities: ['all'], measures: { n: count() } } as const;
const fn = (item: Record<string, unknown>) => ({ storeId: String(item.who) });

describe("a groupBy function's declared names with a hole (s40x)", () => {
  // biome-ignore lint/suspicious/noSparseArray: the hole is the case
  const holeFirst = [, 'storeId'];
  const holeLast = ['storeId', 'region'];
  holeLast.length = 3;
  it.each([
    ['a hole first', holeFirst],
    ['a hole last', holeLast],
  ])('refuses names with %s (DEFINITION_INVALID), as the attribute-list form does', (_label, names) => {
    const e = errorOf(() => defineRollup({ ...common, groupBy: { names, fn } } as never));
    expect(e.code).toBe('DEFINITION_INVALID');
    expect(e.message).toContain("rollup 'r', groupBy: 'names' must list the group's attribute names");
    expect(errorOf(() => defineRollup({ ...common, groupBy: names } as never)).code).toBe(
      'DEFINITION_INVALID',
    );
  });
});
