import { describe, expect, it } from 'vitest';
import { compareReplayOrder, type ReplayOrderKey } from './replay-order.ts';

const k = (seq: string, at: number, pk = 'arn|shardId-1', sk = seq): ReplayOrderKey => ({ seq, at, pk, sk });

describe('compareReplayOrder', () => {
  it("puts a parent shard's record before its child's whatever the dead-lettering hosts' clocks said", () => {
    const parent = k('300000000000000000010', 5_000, 'arn|shardId-parent');
    const child = k('300000000000000000020', 1_000, 'arn|shardId-child');
    expect([child, parent].sort(compareReplayOrder)).toEqual([parent, child]);
  });

  it('compares sequence numbers as numbers (a shorter one is smaller), then time, then key', () => {
    const a = k('99', 9);
    const b = k('100', 1);
    expect([b, a].sort(compareReplayOrder)).toEqual([a, b]);
    const same1 = k('7', 2, 'arn|b');
    const same2 = k('7', 1, 'arn|c');
    const same3 = k('7', 1, 'arn|a');
    expect([same1, same2, same3].sort(compareReplayOrder)).toEqual([same3, same2, same1]);
  });

  it('puts letters without a numeric sequence number last, by time', () => {
    const row = k('flush:bucket:row', 1, 'redis-flush|b', 'r');
    const index = k('index-3', 0, 'arn|s', '~abc');
    const seq = k('12', 50);
    expect([row, index, seq].sort(compareReplayOrder)).toEqual([seq, index, row]);
  });
});
