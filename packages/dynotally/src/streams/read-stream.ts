import {
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { describeStreamShards } from './describe-stream-shards.ts';
import { orderShards } from './order-shards.ts';
import { readStreamRecord } from './to-lambda-record.ts';

/** Options for {@link readStreamRecords}. */
export interface ReadStreamOptions {
  /** Records per `GetRecords` call, 1 to 1000 (default 1000). */
  limit?: number;
}

/** The records of one shard, in sequence order. */
export interface ShardRecords {
  shardId: string;
  records: DynamoDBRecord[];
}

/**
 * Reads everything a stream currently holds: every shard (parents before children) from
 * `TRIM_HORIZON` until an open shard returns no more records or a closed shard ends. Records come
 * in the Lambda `DynamoDBRecord` shape, grouped per shard. For tests, benchmarks and tools; the
 * stream worker polls continuously instead.
 *
 * @example
 * ```ts
 * const streams = new DynamoDBStreamsClient(localStreamsClientConfig(endpoint));
 * for (const { shardId, records } of await readStreamRecords(streams, streamArn)) {
 *   console.log(shardId, records.map((r) => r.eventName));
 * }
 * ```
 */
export async function readStreamRecords(
  streams: DynamoDBStreamsClient,
  streamArn: string,
  options: ReadStreamOptions = {},
): Promise<ShardRecords[]> {
  const shards = orderShards(await describeStreamShards(streams, streamArn));
  const out: ShardRecords[] = [];
  for (const shard of shards) {
    out.push({ shardId: shard.ShardId ?? '', records: await readShard(streams, streamArn, shard, options) });
  }
  return out;
}

async function readShard(
  streams: DynamoDBStreamsClient,
  streamArn: string,
  shard: Shard,
  options: ReadStreamOptions,
): Promise<DynamoDBRecord[]> {
  const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
  const records: DynamoDBRecord[] = [];
  let iterator = (
    await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    )
  ).ShardIterator;
  while (iterator !== undefined) {
    const page = await streams.send(
      new GetRecordsCommand({ ShardIterator: iterator, Limit: options.limit ?? 1000 }),
    );
    const batch = page.Records ?? [];
    for (const record of batch) records.push(readStreamRecord(record, streamArn));
    if (batch.length === 0 && !closed) break;
    iterator = page.NextShardIterator;
  }
  return records;
}
