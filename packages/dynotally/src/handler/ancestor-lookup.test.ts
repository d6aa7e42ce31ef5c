import { describe, expect, it } from 'vitest';
import type { ShardLink } from '../streams/shard-lineage.ts';
import { AncestorLookup } from './ancestor-lookup.ts';

const ARN = 'arn:aws:dynamodb:eu-west-1:1:table/t/stream/2026-01-01T00:00:00.000';
const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('AncestorLookup after failed descriptions', () => {
  it('waits twice as long after each failure, and refreshAfterMs again once one answers', async () => {
    let clock = 0;
    const asked: number[] = [];
    let failing = true;
    const links = new Map<string, ShardLink>([
      ['parent', { parent: undefined, closed: true }],
      ['child', { parent: 'parent', closed: false }],
    ]);
    const lookup = new AncestorLookup(
      async () => {
        asked.push(clock);
        if (failing) throw new Error('no route to DynamoDB Streams');
        return links;
      },
      silent,
      { now: () => clock, pruneAncestorsAfterMs: 0, refreshAfterMs: 1_000 },
    );
    for (; clock <= 7_000; clock += 500) expect(await lookup.finishedFor(ARN, 'child')).toEqual([]);
    expect(asked).toEqual([0, 2_000, 6_000]);
    failing = false;
    for (; clock <= 14_000; clock += 500) await lookup.finishedFor(ARN, 'child');
    // answered at 14 s (8 s after the third failure); the child's closed parent is named from then on
    expect(asked).toEqual([0, 2_000, 6_000, 14_000]);
    expect(await lookup.finishedFor(ARN, 'child')).toEqual(['parent']);
    // a shard the description does not list is asked for after refreshAfterMs again, not after the backed-off wait
    clock = 15_000; // refreshAfterMs after the answer
    await lookup.finishedFor(ARN, 'grandchild');
    expect(asked).toEqual([0, 2_000, 6_000, 14_000, 15_000]);
    expect(lookup.failedLookups).toBe(3);
  });
});
