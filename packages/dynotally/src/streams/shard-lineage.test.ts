import type { Shard } from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, it } from 'vitest';
import { MAX_FINISHED_SHARDS } from '../apply/shard-state.ts';
import { describedAncestors, shardLinks } from './shard-lineage.ts';

const shard = (id: string, parent?: string, end?: string): Shard => ({
  ShardId: id,
  ParentShardId: parent,
  SequenceNumberRange: { StartingSequenceNumber: '100', EndingSequenceNumber: end },
});

const walk = (id: string, shards: Shard[]) => describedAncestors(id, shardLinks(shards));

describe('describedAncestors: the closed ancestors a stream description names', () => {
  it('names closed ancestors nearest first, whatever order the description lists them in', () => {
    const shards = [
      shard('d', 'c'),
      shard('b', 'a', '299'),
      shard('c', 'b', '399'),
      shard('a', undefined, '199'),
    ];
    expect(walk('d', shards)).toEqual({ ancestors: ['c', 'b', 'a'], stop: 'root' });
    expect(walk('c', shards)).toEqual({ ancestors: ['b', 'a'], stop: 'root' });
    expect(walk('a', shards)).toEqual({ ancestors: [], stop: 'root' });
  });

  it('never names a shard that is not an ancestor: siblings, children and other lineages stay', () => {
    const shards = [
      shard('p', undefined, '199'),
      shard('c1', 'p', '299'),
      shard('c2', 'p'), // a split: c1's sibling
      shard('g1', 'c1'), // c1's child
      shard('x', undefined, '150'),
      shard('y', 'x'), // another partition's lineage
    ];
    expect(walk('g1', shards).ancestors).toEqual(['c1', 'p']);
    expect(walk('c2', shards).ancestors).toEqual(['p']);
    expect(walk('y', shards).ancestors).toEqual(['x']);
    expect(walk('p', shards).ancestors).toEqual([]);
  });

  it('stops at a parent trimmed from the stream (not listed): its states age out', () => {
    const shards = [shard('c', 'b', '399'), shard('d', 'c')]; // b and a trimmed
    expect(walk('d', shards)).toEqual({ ancestors: ['c'], stop: 'missing' });
    expect(walk('c', shards)).toEqual({ ancestors: [], stop: 'missing' });
  });

  it('names nothing for a shard the description does not list yet (ask again)', () => {
    expect(walk('new', [shard('a', undefined, '199')])).toEqual({ ancestors: [], stop: 'missing' });
  });

  it('stops at an ancestor listed as open (a stale description), never naming it or beyond', () => {
    const shards = [shard('a', undefined, '199'), shard('b', 'a'), shard('c', 'b')];
    expect(walk('c', shards)).toEqual({ ancestors: [], stop: 'open' });
    const partly = [shard('a'), shard('b', 'a', '299'), shard('c', 'b')];
    expect(walk('c', partly)).toEqual({ ancestors: ['b'], stop: 'open' });
  });

  it('ends on cycles and names no shard twice, nor the shard itself', () => {
    expect(walk('x', [shard('x', 'x', '1')])).toEqual({ ancestors: [], stop: 'cycle' });
    const loop = [shard('p', 'q', '1'), shard('q', 'p', '2'), shard('c', 'p')];
    expect(walk('c', loop)).toEqual({ ancestors: ['p', 'q'], stop: 'cycle' });
    const back = [shard('c', 'p'), shard('p', 'c', '1')];
    expect(walk('c', back)).toEqual({ ancestors: ['p'], stop: 'cycle' });
  });

  it('caps an absurdly deep lineage at 16, nearest first', () => {
    const long = Array.from({ length: 40 }, (_, i) =>
      shard(`s${i}`, i === 0 ? undefined : `s${i - 1}`, String(1000 + i)),
    );
    const { ancestors, stop } = walk('leaf', [...long, shard('leaf', 's39')]);
    expect(MAX_FINISHED_SHARDS).toBe(16);
    expect(ancestors).toHaveLength(16);
    expect(ancestors[0]).toBe('s39');
    expect(ancestors[15]).toBe('s24');
    expect(stop).toBe('cap');
    // exactly 16 ancestors and a root: not capped
    expect(walk('s16', long)).toEqual({
      ancestors: long
        .slice(0, 16)
        .map((s) => s.ShardId)
        .reverse(),
      stop: 'root',
    });
  });

  it('reads an empty ParentShardId as none, and skips shards without an id', () => {
    const links = shardLinks([{ ShardId: 'a', ParentShardId: '' }, { ParentShardId: 'a' }]);
    expect([...links.keys()]).toEqual(['a']);
    expect(describedAncestors('a', links)).toEqual({ ancestors: [], stop: 'root' });
  });
});
