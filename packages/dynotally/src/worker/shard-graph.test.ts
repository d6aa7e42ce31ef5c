import { describe, expect, it } from 'vitest';
import { SHARD_END, type ShardLease } from './lease.ts';
import { deletableLeases, finishedAncestors, MAX_FINISHED_ANCESTORS, shardReadiness } from './shard-graph.ts';

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

  it('so does it when the child is not listed either: both were trimmed, and the child is found gone', () => {
    expect(check(lease('b', 'a'), [], ['c'])).toBe('ready');
  });
});

describe('finishedAncestors: what a batch may prune', () => {
  const byId = (leases: ShardLease[]) => new Map(leases.map((l) => [l.shardId, l]));

  it('names finished ancestors nearest first, and stops at a missing or unfinished one', () => {
    const d = lease('d', 'c');
    const chain = [
      lease('a', undefined, SHARD_END),
      lease('b', 'a', SHARD_END),
      lease('c', 'b', SHARD_END),
      d,
    ];
    expect(finishedAncestors(d, byId(chain))).toEqual(['c', 'b', 'a']);
    expect(finishedAncestors(d, byId(chain.filter((l) => l.shardId !== 'b')))).toEqual(['c']);
    expect(
      finishedAncestors(
        d,
        byId([lease('a', undefined, SHARD_END), lease('b', 'a'), lease('c', 'b', SHARD_END), d]),
      ),
    ).toEqual(['c']);
    expect(finishedAncestors(lease('a'), byId(chain))).toEqual([]);
  });

  it('never names the shard itself, loops end, and at most 16 are named', () => {
    expect(finishedAncestors(lease('x', 'x'), byId([lease('x', 'x', SHARD_END)]))).toEqual([]);
    const loop = [lease('p', 'q', SHARD_END), lease('q', 'p', SHARD_END)];
    expect(finishedAncestors(lease('c', 'p'), byId(loop))).toEqual(['p', 'q']);
    const long = Array.from({ length: 40 }, (_, i) =>
      lease(`s${i}`, i === 0 ? undefined : `s${i - 1}`, SHARD_END),
    );
    const named = finishedAncestors(lease('leaf', 's39'), byId(long));
    expect(named).toHaveLength(MAX_FINISHED_ANCESTORS);
    expect(named[0]).toBe('s39');
  });
});

describe('deletableLeases: finished leases discovery may delete', () => {
  const listed = (...ids: Array<[string, string?]>) =>
    ids.map(([ShardId, ParentShardId]) => ({ ShardId, ParentShardId }));

  it('deletes a finished, unlisted lease no listed shard names as parent, and keeps the others', () => {
    const leases = [lease('a', undefined, SHARD_END), lease('b', 'a', SHARD_END), lease('c', 'b')];
    expect(deletableLeases(leases, listed(['c', 'b']))).toEqual(['a']);
    expect(deletableLeases(leases, listed(['b'], ['c', 'b']))).toEqual(['a']);
    expect(deletableLeases([lease('a', undefined, SHARD_END)], listed(['a']))).toEqual([]);
  });

  it('keeps a finished parent while an unfinished lease names it, listed or not (an outage past the retention)', () => {
    const leases = [lease('p', undefined, SHARD_END), lease('c', 'p'), lease('g', 'c')];
    expect(deletableLeases(leases, listed(['g', 'c']))).toEqual([]);
    const cFinished = [lease('p', undefined, SHARD_END), lease('c', 'p', SHARD_END), lease('g', 'c')];
    expect(deletableLeases(cFinished, listed(['g', 'c']))).toEqual(['p']);
  });
});
