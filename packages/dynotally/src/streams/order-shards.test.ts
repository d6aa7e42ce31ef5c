import type { Shard } from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, it } from 'vitest';
import { orderShards } from './order-shards.ts';

const shard = (id: string, start: string, parent?: string, end?: string): Shard => ({
  ShardId: id,
  ParentShardId: parent,
  SequenceNumberRange: { StartingSequenceNumber: start, EndingSequenceNumber: end },
});

const ids = (shards: Shard[]): string[] => shards.map((s) => s.ShardId ?? '');

describe('orderShards', () => {
  it('puts parents before children, whatever order DescribeStream lists them in', () => {
    const shards = [
      shard('c2', '300', 'b'),
      shard('b', '200', 'a', '299'),
      shard('c1', '301', 'b'),
      shard('a', '100', undefined, '199'),
    ];
    expect(ids(orderShards(shards))).toEqual(['a', 'b', 'c2', 'c1']);
  });

  it('treats a shard whose parent was trimmed as a root', () => {
    expect(ids(orderShards([shard('child', '500', 'gone'), shard('other', '400')]))).toEqual([
      'other',
      'child',
    ]);
  });

  it('runs independent lineages by starting sequence number, numerically', () => {
    const shards = [shard('x', '1000'), shard('y', '999'), shard('z', '000000000000000000005')];
    expect(ids(orderShards(shards))).toEqual(['z', 'y', 'x']);
  });

  it('orders a child after its parent even when the child starts earlier in another lineage', () => {
    const shards = [
      shard('p', '50', undefined, '60'),
      shard('q', '10'),
      shard('pc', '61', 'p'),
      shard('qc', '70', 'q'),
    ];
    const order = ids(orderShards(shards));
    expect(order.indexOf('p')).toBeLessThan(order.indexOf('pc'));
    expect(order.indexOf('q')).toBeLessThan(order.indexOf('qc'));
    expect(order).toHaveLength(4);
  });

  it('keeps every shard', () => {
    expect(orderShards([])).toEqual([]);
    expect(orderShards([shard('only', '1')])).toHaveLength(1);
  });
});
