import { describe, expect, it } from 'vitest';
import { wholeRollupsWithin } from './transaction-parts.ts';

const writes = (spec: Record<string, number>) =>
  Object.entries(spec).flatMap(([rollup, n]) =>
    Array.from({ length: n }, (_, i) => ({ row: { rollup }, i })),
  );

describe('wholeRollupsWithin', () => {
  it('keeps every write when the rows and one item per rollup fit', () => {
    const all = writes({ a: 49, b: 49 });
    expect(wholeRollupsWithin(all, 100)).toBe(all);
  });

  it('takes whole rollups, in order, while rows and their items fit', () => {
    // 13 rollups of 8 rows: 11 of them are 88 rows + 11 items; a 12th would be 108
    const all = writes(Object.fromEntries(Array.from({ length: 13 }, (_, i) => [`r${i}`, 8])));
    const part = wholeRollupsWithin(all, 100);
    expect(part.length).toBe(88);
    expect(new Set(part.map((w) => w.row.rollup)).size).toBe(11);
    expect(part).toEqual(all.slice(0, 88));
  });

  it('groups a rollup whose rows are not adjacent', () => {
    const all = [...writes({ a: 30, b: 30 }), ...writes({ a: 30 }), ...writes({ c: 30 })];
    const part = wholeRollupsWithin(all, 100);
    expect(part.map((w) => w.row.rollup).filter((r) => r === 'a').length).toBe(60);
    expect(part.length).toBe(90); // a (60) and b (30) with their 2 items: 92; c would pass 100
  });

  it('refuses a rollup whose rows alone cannot fit (INTERNAL_ERROR)', () => {
    expect(() => wholeRollupsWithin(writes({ a: 100, b: 1 }), 100)).toThrow(
      expect.objectContaining({ code: 'INTERNAL_ERROR' }),
    );
  });

  it('takes whole rollups while their rows and items fit the bytes too', () => {
    const sized = (spec: Record<string, number>, bytes: number) => writes(spec).map((w) => ({ ...w, bytes }));
    const all = [...sized({ a: 3 }, 1_000_000), ...sized({ b: 1 }, 1_000_000), ...sized({ c: 2 }, 10)];
    const bytes = { budget: 3_784_704, perRollup: 3_400 };
    // a (3 MB and its item) fits; b would pass the budget: the part stops there, c waits for the next
    expect(wholeRollupsWithin(all, 100, bytes)).toEqual(all.slice(0, 3));
    const rest = all.slice(3);
    expect(wholeRollupsWithin(rest, 100, bytes)).toBe(rest); // b and c: 1 MB and their two items
  });

  it('answers nothing when the rows of the first rollup alone pass the bytes (the record is refused)', () => {
    const all = writes({ a: 4 }).map((w) => ({ ...w, bytes: 1_000_000 }));
    expect(wholeRollupsWithin(all, 100, { budget: 3_784_704, perRollup: 3_400 })).toEqual([]);
    expect(wholeRollupsWithin(all, 100)).toBe(all); // without bytes: only the items count
  });
});
