import { describe, expect, it } from 'vitest';
import { MAX_ENTRIES_PER_GRANULARITY, mergeEntries } from './merge-entries.ts';

const D = 86_400_000;

describe('mergeEntries', () => {
  it('adds an entry per granularity and finite retention, and moves an equal one later only', () => {
    const own = new Map([
      ['minute', 8 * D],
      ['hour', 10 * D],
      ['day', Number.POSITIVE_INFINITY],
    ]);
    const first = mergeEntries([], own, 100);
    expect(first).toEqual([
      { granularity: 'minute', retentionMs: 8 * D, firstSeen: 100, lastSeen: 100 },
      { granularity: 'hour', retentionMs: 10 * D, firstSeen: 100, lastSeen: 100 },
    ]);
    const later = mergeEntries(first, own, 500);
    expect(later.map((e) => [e.firstSeen, e.lastSeen])).toEqual([
      [100, 500],
      [100, 500],
    ]);
    // a writer whose clock is behind never moves lastSeen back
    expect(mergeEntries(later, own, 300).map((e) => e.lastSeen)).toEqual([500, 500]);
    // another retention is another entry
    expect(mergeEntries(later, new Map([['hour', 400 * D]]), 600)).toHaveLength(3);
  });

  it('bounds a granularity by merging the two entries last seen earliest, under the shorter retention', () => {
    let entries = mergeEntries([], new Map([['hour', 1 * D]]), 0);
    for (let i = 2; i <= MAX_ENTRIES_PER_GRANULARITY + 1; i++)
      entries = mergeEntries(entries, new Map([['hour', i * D]]), i * 1000);
    expect(entries).toHaveLength(MAX_ENTRIES_PER_GRANULARITY);
    const merged = entries.find((e) => e.firstSeen === 0);
    // the entries of 1 d (seen at 0) and 2 d (seen at 2000) became one: 1 d over [0, 2000]
    expect(merged).toEqual({ granularity: 'hour', retentionMs: D, firstSeen: 0, lastSeen: 2000 });
  });
});
