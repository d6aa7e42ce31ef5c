import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';

/**
 * Every shard of a stream, following `DescribeStream` pages (`ExclusiveStartShardId`).
 *
 * @example
 * ```ts
 * const shards = await describeStreamShards(streams, streamArn);
 * const open = shards.filter((s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined);
 * ```
 */
export async function describeStreamShards(
  streams: DynamoDBStreamsClient,
  streamArn: string,
  /** Ends the listing's requests (a bound on a client without request timeouts). */
  abortSignal?: AbortSignal,
): Promise<Shard[]> {
  const shards: Shard[] = [];
  let exclusiveStartShardId: string | undefined;
  do {
    const { StreamDescription } = await streams.send(
      new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
      abortSignal === undefined ? {} : { abortSignal },
    );
    shards.push(...(StreamDescription?.Shards ?? []));
    exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
  } while (exclusiveStartShardId !== undefined);
  return shards;
}
