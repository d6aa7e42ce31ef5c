// What the stream worker does when a record keeps failing, on DynamoDB Local: a batch attempt that crashes
// part way (some rows applied, others not), then the record dead-lettered with the rows it has not reached
// (probed before anything after it is applied), then the rest of the shard delivered as usual.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { ExactlyOnceStrategy } from '../../packages/dynotally/src/apply/index.ts';
import {
  type DeadLetter,
  DynamoDbDeadLetterSink,
  type ProbeStrategy,
  pendingRowsOf,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import type { Faults } from '../support/faults.ts';
import { deliver, type Pipeline, type ShardStream } from '../support/pipeline.ts';

export const fastRetry = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 };

/** Options of {@link runWithDeadLetters}. */
export interface SimulateOptions {
  pipeline: Pipeline;
  shard: ShardStream;
  /** The handler's client, with `faults` on its middleware stack. */
  faulty: DynamoDBClient;
  faults: Faults;
  table: string;
  deadLetterTable: string;
  strategy: ExactlyOnceStrategy;
  /** Indices of the records to dead-letter (sorted, distinct). */
  dead: readonly number[];
  /** The failing attempt covers the dead record and this many after it; it crashes at the `crashAt(i)`-th write. */
  span?: number;
  /** Default: 1, 2, 3, 1, … (nothing, the first row, the first two rows applied). */
  crashAt?: (i: number) => number;
  /** Called after each dead letter with the index delivered up to (to interleave replays with later batches). */
  between?: (deliveredUpTo: number) => Promise<void>;
  batchSize?: number;
  /** The handler's state budget: 0 sends every row written twice to the per-shard transaction path. */
  stateBudgetBytes?: number;
}

/**
 * Delivers the whole shard with the records at `dead` dead-lettered as the worker does, and returns the
 * letters stored (with their pending rows).
 */
export async function runWithDeadLetters(o: SimulateOptions): Promise<DeadLetter[]> {
  const { pipeline, shard, faults } = o;
  const records = shard.records;
  const handler = pipeline.handler({
    table: o.table,
    strategy: o.strategy,
    client: o.faulty,
    retry: fastRetry,
    ...(o.stateBudgetBytes === undefined
      ? {}
      : { stateBudgetBytes: o.stateBudgetBytes, pruneSampleEvery: 1 }),
  });
  const sink = new DynamoDbDeadLetterSink(pipeline.clients.ddb, o.deadLetterTable);
  const batchSize = o.batchSize ?? 25;
  const letters: DeadLetter[] = [];
  const deliverRange = async (from: number, to: number) => {
    faults.heal();
    for (const res of await deliver(handler, shard, { from, to, batchSize }))
      if (res.batchItemFailures.length > 0) throw new Error(`unexpected failure ${JSON.stringify(res)}`);
  };
  let at = 0;
  for (const [i, k] of o.dead.entries()) {
    await deliverRange(at, k);
    // an attempt of [k, k + span) that crashes after some writes
    faults.crashFrom(o.crashAt?.(i) ?? 1 + (i % 3), 'fatal');
    const Records = records.slice(k, Math.min(records.length, k + 1 + (o.span ?? 6)));
    await handler({ Records, shardId: shard.shardId });
    faults.heal();
    const record = records[k] as DynamoDBRecord;
    const probe: ProbeStrategy = o.strategy === 'transaction' ? 'transaction' : 'row-watermark';
    const pendingRows = await pendingRowsOf({
      client: pipeline.clients.ddb,
      table: o.table,
      rollups: pipeline.compiled,
      strategy: probe,
      source: pipeline.streamArn,
      shardId: shard.shardId,
      record,
    });
    const letter: DeadLetter = {
      source: pipeline.streamArn,
      shardId: shard.shardId,
      sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
      eventId: record.eventID,
      code: 'RETRIES_EXHAUSTED',
      reason: 'injected crash',
      record,
      at: Date.now(),
      ...(pendingRows === undefined ? {} : { pendingRows }),
    };
    await sink.send([letter]);
    letters.push(letter);
    at = k + 1;
    await o.between?.(at);
  }
  await deliverRange(at, records.length);
  return letters;
}
