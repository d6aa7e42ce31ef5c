import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignShards } from './assign-shards.ts';

const ids = (prefix: string, max: number) =>
  fc
    .uniqueArray(fc.integer({ min: 0, max: 999 }), { maxLength: max })
    .map((xs) => xs.map((x) => `${prefix}${x}`));

describe('assignShards', () => {
  it('assigns every shard to a live worker, counts differing by at most one', () => {
    fc.assert(
      fc.property(ids('shard-', 40), ids('w', 8), (shards, workers) => {
        const owner = assignShards(shards, workers);
        if (workers.length === 0) {
          expect(owner.size).toBe(0);
          return;
        }
        expect([...owner.keys()].sort()).toEqual([...shards].sort());
        const load = new Map(workers.map((w) => [w, 0]));
        for (const w of owner.values()) {
          expect(load.has(w)).toBe(true);
          load.set(w, (load.get(w) ?? 0) + 1);
        }
        const counts = [...load.values()];
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });

  it('is the same whatever order the shards and workers are listed in (workers agree without talking)', () => {
    fc.assert(
      fc.property(ids('shard-', 30), ids('w', 6), fc.integer(), (shards, workers, seed) => {
        const shuffle = <T>(xs: T[]) => {
          const k = xs.length === 0 ? 0 : Math.abs(seed) % xs.length;
          return [...xs.slice(k), ...xs.slice(0, k)].reverse();
        };
        expect(assignShards(shuffle(shards), shuffle(workers))).toEqual(assignShards(shards, workers));
      }),
      { numRuns: 200 },
    );
  });

  it('a worker joining takes shards from others without reshuffling everything', () => {
    const shards = Array.from({ length: 24 }, (_, i) => `shardId-${i}`);
    const before = assignShards(shards, ['w1', 'w2', 'w3']);
    const after = assignShards(shards, ['w1', 'w2', 'w3', 'w4']);
    const moved = shards.filter((s) => before.get(s) !== after.get(s));
    expect(moved.filter((s) => after.get(s) === 'w4')).toHaveLength(6);
    expect(moved.length).toBeLessThan(shards.length / 2);
  });
});
