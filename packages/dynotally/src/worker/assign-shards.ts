import { createHash } from 'node:crypto';

function score(shardId: string, workerId: string): number {
  return createHash('sha256').update(`${shardId}\u0000${workerId}`).digest().readUInt32BE(0);
}

/**
 * A balanced, deterministic assignment of shards to workers: every worker that sees the same shards and the
 * same live workers computes the same answer, so nobody negotiates. Each shard goes to the worker that ranks
 * it highest (rendezvous hashing) among those not yet full; "full" is ⌊shards / workers⌋, and the first
 * `shards mod workers` workers to need it may take one more. Counts therefore differ by at most one, and a
 * worker joining or leaving moves few shards.
 *
 * @example
 * ```ts
 * const owner = assignShards(['s1', 's2', 's3'], ['w1', 'w2']);
 * owner.get('s1'); // 'w1' or 'w2'; each worker gets one or two of the three
 * ```
 */
export function assignShards(shardIds: readonly string[], workerIds: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const workers = [...new Set(workerIds)].sort();
  if (workers.length === 0) return out;
  const shards = [...new Set(shardIds)].sort();
  const floor = Math.floor(shards.length / workers.length);
  let extra = shards.length - floor * workers.length;
  const load = new Map(workers.map((w) => [w, 0]));
  for (const shard of shards) {
    const ranked = workers
      .map((w) => ({ w, s: score(shard, w) }))
      .sort((a, b) => b.s - a.s || (a.w < b.w ? -1 : 1));
    for (const { w } of ranked) {
      const n = load.get(w) ?? 0;
      if (n < floor || (n === floor && extra > 0)) {
        if (n === floor) extra -= 1;
        load.set(w, n + 1);
        out.set(shard, w);
        break;
      }
    }
  }
  return out;
}
