// A DynamoDB stream as it really is on a table with many partitions: every partition's shard closes and a
// child takes over every few hours, and the records of one store arrive from every partition.
import type { DynamoDBRecord } from 'aws-lambda';
import { mulberry32 } from '../workload/prng.ts';
import { zipfSampler } from '../workload/zipf.ts';

/** The shape of the simulated stream. */
export interface RolloverOptions {
  /** Partitions of the source table, each with its own line of shards (default 16). */
  partitions?: number;
  /** A partition's shard is replaced by a child this often (default 4 h). */
  rolloverHours?: number;
  /** Simulated duration (default 48 h). */
  hours?: number;
  /** Events over the whole duration (default 12,000). */
  events?: number;
  /** Each shard's records are delivered in one batch per window (default 60 minutes). */
  batchMinutes?: number;
  /** Stores (Zipf s = 1.1, so the first few are hot and every partition writes them) (default 50). */
  stores?: number;
  /** Start of the simulated stream (epoch ms). */
  start?: number;
  seed?: number;
}

/** One batch as the event source mapping would hand it over. */
export interface RolloverBatch {
  /** The shard it comes from (a new one every `rolloverHours` per partition). */
  shardId: string;
  /** End of the window: the simulated clock when it is applied. */
  at: number;
  records: DynamoDBRecord[];
}

export const ROLLOVER_STREAM_ARN =
  'arn:aws:dynamodb:eu-west-1:000000000000:table/rollover-source/stream/2026-11-01T00:00:00.000';
/** Sequence numbers as the service shows them: 28 digits. */
const SEQUENCE_BASE = 10n ** 27n * 4n;

/**
 * The batches of the whole simulated stream, in delivery order (window by window, partition by partition).
 * Sequence numbers increase along that order, so the same batches are also a valid single shard
 * ({@link asSingleShard}): the two runs differ only in how many shards write each row.
 *
 * @example
 * ```ts
 * const batches = rolloverBatches({ events: 2_000 });
 * batches[0].shardId; // 'shardId-p00-g00'
 * ```
 */
export function rolloverBatches(options: RolloverOptions = {}): RolloverBatch[] {
  const partitions = options.partitions ?? 16;
  const rollMs = (options.rolloverHours ?? 4) * 3_600_000;
  const durationMs = (options.hours ?? 48) * 3_600_000;
  const events = options.events ?? 12_000;
  const windowMs = (options.batchMinutes ?? 60) * 60_000;
  const stores = options.stores ?? 50;
  const start = options.start ?? Date.UTC(2026, 10, 1);
  const random = mulberry32(options.seed ?? 1234);
  const store = zipfSampler(stores, 1.1);
  const windows = Math.ceil(durationMs / windowMs);
  // events per (window, partition), drawn uniformly
  const slots: Array<Array<{ ts: number; store: number; order: boolean }>> = Array.from(
    { length: windows * partitions },
    () => [],
  );
  for (let i = 0; i < events; i++) {
    const ts = start + Math.floor(random() * durationMs);
    const w = Math.floor((ts - start) / windowMs);
    const p = Math.floor(random() * partitions);
    slots[w * partitions + p]?.push({ ts, store: store(random()), order: random() < 0.3 });
  }
  const batches: RolloverBatch[] = [];
  let seq = SEQUENCE_BASE;
  let n = 0;
  for (let w = 0; w < windows; w++) {
    const windowStart = start + w * windowMs;
    const generation = Math.floor((windowStart - start) / rollMs);
    for (let p = 0; p < partitions; p++) {
      const slot = (slots[w * partitions + p] ?? []).sort((a, b) => a.ts - b.ts);
      if (slot.length === 0) continue;
      const shardId = `shardId-p${String(p).padStart(2, '0')}-g${String(generation).padStart(2, '0')}`;
      const records = slot.map((e): DynamoDBRecord => {
        seq += 1n + BigInt(Math.floor(random() * 50));
        const id = `evt-${n++}`;
        return {
          eventID: id,
          eventName: 'INSERT',
          eventSource: 'aws:dynamodb',
          eventSourceARN: ROLLOVER_STREAM_ARN,
          awsRegion: 'eu-west-1',
          eventVersion: '1.1',
          dynamodb: {
            ApproximateCreationDateTime: Math.floor(e.ts / 1000),
            Keys: { pk: { S: id } },
            NewImage: {
              pk: { S: id },
              storeId: { S: `store-${String(e.store).padStart(4, '0')}` },
              type: { S: e.order ? 'order' : 'view' },
              ts: { N: String(e.ts) },
            },
            SequenceNumber: seq.toString(),
            SizeBytes: 120,
            StreamViewType: 'NEW_AND_OLD_IMAGES',
          },
        };
      });
      batches.push({ shardId, at: windowStart + windowMs, records });
    }
  }
  return batches;
}

/**
 * The same batches from one shard that never rolls over: the single-shard baseline.
 *
 * @example
 * ```ts
 * const single = asSingleShard(rolloverBatches());
 * ```
 */
export function asSingleShard(batches: readonly RolloverBatch[]): RolloverBatch[] {
  return batches.map((b) => ({ ...b, shardId: 'shardId-single' }));
}
