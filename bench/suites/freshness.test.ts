import { describe, expect, it } from 'vitest';
import { freshnessOf, percentile } from './freshness.ts';

describe('freshnessOf', () => {
  it('puts batch k’s records in the interval of batch k−1 and makes them visible when batch k ends', () => {
    // Batch 0 (10 ms) has a virtual predecessor of 10 ms: written at −10, −5, visible at 10 → 20, 15.
    // Batch 1 (20 ms) was written during batch 0 (0 … 10): at 0, 5, visible at 30 → 30, 25.
    const batches = [
      { records: 2, startMs: 0, endMs: 10 },
      { records: 2, startMs: 10, endMs: 30 },
    ];
    expect(freshnessOf(batches)).toEqual({ p50: 20, p99: 30 });
  });

  it('lies between one and two batch durations for back-to-back batches of equal length', () => {
    const batches = Array.from({ length: 50 }, (_, k) => ({
      records: 100,
      startMs: k * 40,
      endMs: (k + 1) * 40,
    }));
    const { p50, p99 } = freshnessOf(batches);
    expect(p50).toBeGreaterThanOrEqual(40);
    expect(p99).toBeLessThanOrEqual(80);
    expect(p50).toBeCloseTo(60, 0);
  });
});

describe('percentile', () => {
  it('takes the nearest rank', () => {
    expect(percentile([4, 1, 3, 2], 0.5)).toBe(2);
    expect(percentile([4, 1, 3, 2], 0.99)).toBe(4);
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        0.99,
      ),
    ).toBe(99);
    expect(percentile([], 0.5)).toBe(0);
  });
});
