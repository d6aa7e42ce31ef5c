import { describe, expect, it } from 'vitest';
import { indexWriteUnits } from './index-write-units.ts';
import type { Item } from './item-size.ts';
import { itemSizeBytes } from './item-size.ts';
import { unitsForBytes, writeUnits } from './write-units.ts';

/** An item of exactly `bytes` bytes: key `pk` plus padding in `p`. */
const sized = (bytes: number, extra: Item = {}): Item => {
  const base = { pk: { S: 'k' }, ...extra, p: { S: '' } };
  return { ...base, p: { S: 'x'.repeat(bytes - itemSizeBytes(base)) } };
};

describe('writeUnits', () => {
  it('bills one unit per started KB, at least one', () => {
    expect(unitsForBytes(0)).toBe(1);
    expect(unitsForBytes(1024)).toBe(1);
    expect(unitsForBytes(1025)).toBe(2);
    expect(unitsForBytes(2560)).toBe(3); // a 2.5 KB write costs 3 units
    expect(writeUnits(undefined, sized(500))).toBe(1);
    expect(writeUnits(undefined, sized(1024))).toBe(1);
    expect(writeUnits(undefined, sized(1025))).toBe(2);
    expect(writeUnits(undefined, sized(3584))).toBe(4); // 3.5 KB
  });

  it('bills an update or replacing put on the larger of before and after', () => {
    expect(writeUnits(sized(2560), sized(100))).toBe(3);
    expect(writeUnits(sized(100), sized(2560))).toBe(3);
  });

  it('bills a delete by the deleted item, and a delete of nothing as 1', () => {
    expect(writeUnits(sized(1500), undefined)).toBe(2);
    expect(writeUnits(undefined, undefined)).toBe(1);
  });

  it('doubles transactional writes: an item up to 1 KB costs 2 units', () => {
    expect(writeUnits(undefined, sized(1000), { transactional: true })).toBe(2);
    expect(writeUnits(sized(1500), sized(1600), { transactional: true })).toBe(4);
  });
});

describe('indexWriteUnits (sparse leaderboard index)', () => {
  const lb = { keys: ['lbk', 'lbv'] };
  const row = (lbv?: string, extra: Item = {}): Item => ({
    pk: { S: 'r' },
    sk: { S: 'ALL' },
    c: { N: '1' },
    ...(lbv === undefined ? {} : { lbk: { S: 'restaurants#ALL' }, lbv: { N: lbv } }),
    ...extra,
  });

  it('costs nothing for rows outside the index', () => {
    expect(indexWriteUnits(undefined, row(), lb)).toBe(0);
    expect(indexWriteUnits(row(), row(undefined, { c: { N: '2' } }), lb)).toBe(0);
  });

  it('costs one write to enter or leave the index', () => {
    expect(indexWriteUnits(undefined, row('1'), lb)).toBe(1);
    expect(indexWriteUnits(row(), row('1'), lb)).toBe(1);
    expect(indexWriteUnits(row('1'), row(), lb)).toBe(1);
    expect(indexWriteUnits(row('1'), undefined, lb)).toBe(1);
  });

  it('costs two writes (delete + put) when an index key changes', () => {
    expect(indexWriteUnits(row('1'), row('2'), lb)).toBe(2);
    expect(indexWriteUnits(row('1'), row('2'), lb, { transactional: true })).toBe(4);
  });

  it('costs one write when only projected attributes change, none when nothing changes', () => {
    expect(indexWriteUnits(row('1'), row('1', { c: { N: '9' } }), lb)).toBe(1);
    expect(indexWriteUnits(row('1'), row('1'), lb)).toBe(0);
    expect(
      indexWriteUnits(row('1'), row('1', { c: { N: '9' } }), {
        ...lb,
        projection: ['pk', 'sk', 'lbk', 'lbv'],
      }),
    ).toBe(0);
  });

  it('sizes index writes by the projected item', () => {
    const big = { blob: { S: 'x'.repeat(1500) } };
    expect(indexWriteUnits(undefined, row('1', big), lb)).toBe(2);
    expect(indexWriteUnits(undefined, row('1', big), { ...lb, projection: ['pk', 'sk', 'lbk', 'lbv'] })).toBe(
      1,
    );
  });

  it('compares sets regardless of element order', () => {
    expect(
      indexWriteUnits(row('1', { t: { SS: ['a', 'b'] } }), row('1', { t: { SS: ['b', 'a'] } }), lb),
    ).toBe(0);
  });
});
