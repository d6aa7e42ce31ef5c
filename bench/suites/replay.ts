import type { ShardRecords } from '../../packages/dynotally/src/streams/index.ts';
import type { Contender } from '../contenders/contender.ts';
import type { BatchTiming } from './freshness.ts';

/** Counters read after every batch (cumulative since the process or the meter began; the replay subtracts the start). */
export interface ReplaySample {
  /** This process's CPU, ms. */
  clientCpuMs: number;
  /** DynamoDB Local's CPU, ms, when measured. */
  serverCpuMs?: number | undefined;
  /** Write units so far, when known batch by batch. */
  writeUnits?: number | undefined;
}

/** What one replay did, on its own clock. */
export interface ReplayRun {
  records: number;
  batches: BatchTiming[];
  seconds: number;
  /** With a sampler: the counters at the end of every batch, from the replay's start. */
  samples: ReplaySample[];
}

/**
 * The first `limit` records of a stream (shards in the order given, parents first), still grouped by shard.
 *
 * @example
 * ```ts
 * const prefix = streamPrefix(shards, 10_000);
 * ```
 */
export function streamPrefix(shards: readonly ShardRecords[], limit: number): ShardRecords[] {
  const out: ShardRecords[] = [];
  let left = limit;
  for (const shard of shards) {
    if (left <= 0) break;
    const records = shard.records.slice(0, left);
    left -= records.length;
    out.push({ shardId: shard.shardId, records });
  }
  return out;
}

/**
 * Feeds a stream already read into a contender as Lambda would with one consumer per shard: batches
 * of at most `batchSize` records of one shard, in order, each handled to completion before the next.
 * Times every batch, and with `sample` reads CPU and write-unit counters after each one (so figures over the
 * first batches compare with a baseline that consumed only those events).
 *
 * @example
 * ```ts
 * const run = await replay(contender, streamPrefix(shards, 5_000), 1_000);
 * console.log(run.records / run.seconds, 'events/s');
 * ```
 */
export async function replay(
  contender: Contender,
  shards: readonly ShardRecords[],
  batchSize: number,
  sample?: () => ReplaySample,
): Promise<ReplayRun> {
  const batches: BatchTiming[] = [];
  const samples: ReplaySample[] = [];
  const start = sample?.();
  const since = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? undefined : a - b;
  let records = 0;
  const started = performance.now();
  for (const { shardId, records: all } of shards) {
    for (let i = 0; i < all.length; i += batchSize) {
      const batch = all.slice(i, i + batchSize);
      const startMs = performance.now();
      await contender.handle({ shardId, records: batch });
      batches.push({ records: batch.length, startMs, endMs: performance.now() });
      if (sample !== undefined && start !== undefined) {
        const now = sample();
        samples.push({
          clientCpuMs: now.clientCpuMs - start.clientCpuMs,
          serverCpuMs: since(now.serverCpuMs, start.serverCpuMs),
          writeUnits: since(now.writeUnits, start.writeUnits),
        });
      }
      records += batch.length;
    }
  }
  return { records, batches, seconds: (performance.now() - started) / 1000, samples };
}
