import { describe, expect, it } from 'vitest';
import { Dec, type Num } from '../numbers/index.ts';
import type { LiveSnapshot } from './live-source.ts';
import { rankedUpperBound } from './ranked-live.ts';

/** A snapshot whose row `g` in `ALL` has `writes` (each a write: the ranked attribute's delta). */
function snapshot(writes: Num[], byBucket = true): LiveSnapshot {
  const maps = writes.map((d) => new Map<string, Num>([['total', d]]));
  const sum = new Map<string, Num>([['total', writes.reduce<number>((a, d) => a + Number(d), 0)]]);
  return {
    pks: () => ['g'],
    sortKeys: () => ['ALL'],
    pending: () => sum,
    ...(byBucket ? { pendingByBucket: () => maps } : {}),
  };
}

describe('rankedUpperBound (review s44v)', () => {
  it('adds the positive deltas only to the stored value', () => {
    const stored = { value: 100, marker: undefined, from: 'lbv' };
    expect(rankedUpperBound(snapshot([-90, 5, -1]), 'g', 'ALL', stored, 'total')).toBe(105);
    expect(rankedUpperBound(snapshot([-90]), 'g', 'ALL', stored, 'total')).toBe(100);
  });

  it('counts from zero without a row, and keeps decimals exact', () => {
    expect(rankedUpperBound(snapshot([-3, 2]), 'g', 'ALL', undefined, 'total')).toBe(2);
    const stored = { value: new Dec('0.1'), marker: undefined, from: 'lbv' };
    expect(String(rankedUpperBound(snapshot([new Dec('0.2')]), 'g', 'ALL', stored, 'total'))).toBe('0.3');
  });

  it('takes the summed delta of a source without writes, when positive', () => {
    const stored = { value: 10, marker: undefined, from: 'lbv' };
    expect(rankedUpperBound(snapshot([-4, 1], false), 'g', 'ALL', stored, 'total')).toBe(10);
    expect(rankedUpperBound(snapshot([4, 1], false), 'g', 'ALL', stored, 'total')).toBe(15);
  });
});
