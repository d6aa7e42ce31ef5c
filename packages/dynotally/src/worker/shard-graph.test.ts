import { describe, expect, it } from 'vitest';
import { SHARD_END, type ShardLease } from './lease.ts';
import { shardReadiness } from './shard-graph.ts';

const lease = (shardId: string, parentShardId?: string, checkpoint?: string): ShardLease => ({
  streamArn: 'arn',
  shardId,
  parentShardId,
  checkpoint,
  expiresAt: 0,
  counter: 0,
  startAt: 'TRIM_HORIZON',
  freeSince: 0,
});

describe('shardReadiness: parents before children', () => {
  const check = (child: ShardLease, leases: ShardLease[], described: string[]) =>
    shardReadiness(child, new Map(leases.map((l) => [l.shardId, l])), new Set(described));

  it('a root shard is ready; a finished one is finished', () => {
    expect(check(lease('a'), [], ['a'])).toBe('ready');
    expect(check(lease('a', undefined, SHARD_END), [], ['a'])).toBe('finished');
    expect(check(lease('a', undefined, '0000042'), [], ['a'])).toBe('ready');
  });

  it('a child waits until its parent checkpoint says SHARD_END', () => {
    const child = lease('b', 'a');
    expect(check(child, [lease('a'), child], ['a', 'b'])).toBe('waiting-for-parent');
    expect(check(child, [lease('a', undefined, '0000099'), child], ['a', 'b'])).toBe('waiting-for-parent');
    expect(check(child, [lease('a', undefined, SHARD_END), child], ['a', 'b'])).toBe('ready');
  });

  it('a parent the stream lists but that has no lease yet makes the child wait', () => {
    expect(check(lease('b', 'a'), [], ['a', 'b'])).toBe('waiting-for-parent');
  });

  it('a parent trimmed from the stream (not listed, no lease) counts as finished', () => {
    expect(check(lease('b', 'a'), [], ['b'])).toBe('ready');
  });

  it('a child this worker has not seen described yet asks for a fresh DescribeStream', () => {
    expect(check(lease('b', 'a'), [], [])).toBe('parent-unknown');
  });
});
