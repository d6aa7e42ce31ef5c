import { describe, expect, it } from 'vitest';
import { describedAncestors } from '../../packages/dynotally/src/streams/shard-lineage.ts';
import { ancestorsOf, describedAt } from './suite.ts';

const start = Date.UTC(2026, 10, 1);
const h = 3_600_000;

describe('the rollover bench: the simulated stream as DescribeStream lists it', () => {
  it('lists each partition’s shards of the last 24 h with their parents; only the newest is open', () => {
    const links = describedAt(start + 9 * h, start, { partitions: 2 });
    expect([...links.keys()].sort()).toEqual([
      'shardId-p00-g00',
      'shardId-p00-g01',
      'shardId-p00-g02',
      'shardId-p01-g00',
      'shardId-p01-g01',
      'shardId-p01-g02',
    ]);
    expect(links.get('shardId-p01-g02')).toEqual({ parent: 'shardId-p01-g01', closed: false });
    expect(links.get('shardId-p01-g00')).toEqual({ parent: undefined, closed: true });
    expect(describedAncestors('shardId-p01-g02', links).ancestors).toEqual([
      'shardId-p01-g01',
      'shardId-p01-g00',
    ]);
  });

  it('trims shards that ended more than 24 h ago, so the walk names a suffix of what the worker workload names', () => {
    const links = describedAt(start + 41 * h, start, { partitions: 1 });
    // g10 is open; g04 ended at 20 h, 21 h before the clock; g03 ended at 16 h: trimmed
    expect(links.has('shardId-p00-g03')).toBe(false);
    expect(links.has('shardId-p00-g04')).toBe(true);
    const named = describedAncestors('shardId-p00-g10', links).ancestors;
    expect(named).toEqual(ancestorsOf('shardId-p00-g10').slice(0, named.length));
    expect(named.at(-1)).toBe('shardId-p00-g04');
  });
});
